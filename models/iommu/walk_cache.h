// SPDX-License-Identifier: GPL-2.0-only
// An IOMMU unit's paging-structure cache (VT-d's PML4/PDPE/PDE caches, the
// SMMU's walk cache): non-leaf page-table entries, tagged by domain, level
// and the part of the IOVA that entry covers, so a walk can start below the
// root. Fully associative with LRU replacement; 0 entries makes none.
//
// The entries are not tied to the tables' contents: the unit drops a
// domain's entries whenever it invalidates any of the domain's IOTLB
// entries, as a page-selective invalidation without the invalidation hint
// does (VT-d: IH = 0 also invalidates the paging-structure caches).
#pragma once

#include <cstdint>
#include <vector>

namespace iocsim::models {

struct WalkCacheStats {
  uint64_t hits = 0, misses = 0;  // walks that could or could not skip a level
};

class WalkCache {
 public:
  explicit WalkCache(uint64_t entries) : capacity_(entries) {}

  // The deepest level in (leaf, top] whose entry for `iova` is cached: the
  // walk reads from the level below it. Returns `top + 1` when none is (the
  // walk starts at the root, level `top`). Counts a hit or a miss.
  unsigned deepest(uint32_t domain, uint64_t iova, unsigned leaf, unsigned top);
  // Caches the level-`level` entry a walk read for `iova`.
  void fill(uint32_t domain, unsigned level, uint64_t iova);
  void invalidate(uint32_t domain);

  const WalkCacheStats& stats() const { return stats_; }

 private:
  struct Entry {
    uint32_t domain = 0;
    unsigned level = 0;
    uint64_t tag = 0;  // iova >> the bits the entry's table resolves below it
    uint64_t lru = 0;
  };
  static uint64_t tag_of(unsigned level, uint64_t iova);
  Entry* find(uint32_t domain, unsigned level, uint64_t iova);

  uint64_t capacity_;
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
  WalkCacheStats stats_;
};

}  // namespace iocsim::models
