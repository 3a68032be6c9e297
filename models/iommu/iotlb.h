// SPDX-License-Identifier: GPL-2.0-only
// The IOTLB of one IOMMU unit: cached translations tagged by domain.
//
// Set-associative with LRU replacement; `ways == entries` makes it fully
// associative (the default, docs/hardware-parameters.md 6.2). One entry holds one page of
// whatever size the page table maps (a 2 MiB or 1 GiB superpage takes one
// entry). The set of an entry is chosen from its domain and its page number.
//
// An entry outlives its mapping: unmapping a page leaves a cached copy of the
// translation in place, marked stale, until an invalidation covers it or it is
// evicted; a device that hits it still reaches the old physical page. That is
// exactly the window iommu_iotlb_sync() closes.
//
// Lookups cost O(log entries) (an ordered index by domain and IOVA) with a
// fast path for the most recent hit, so streaming through a page costs one
// comparison per request.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace iocsim::models {

struct IotlbEntry {
  uint32_t domain = 0;
  uint64_t iova = 0;  // page-aligned
  uint64_t size = 0;  // page size
  uint64_t pa = 0;
  bool read = false;
  bool write = false;
  bool stale = false;  // the mapping it caches is gone
};

struct IotlbStats {
  uint64_t hits = 0, misses = 0;
  uint64_t evictions = 0;       // valid entries replaced by a fill
  uint64_t invalidated = 0;     // entries removed by invalidations
  uint64_t stale_hits = 0;      // hits on stale entries
};

class Iotlb {
 public:
  // `entries` is a positive multiple of `ways`.
  Iotlb(uint64_t entries, uint64_t ways);

  // The entry translating `iova` in `domain` (stale or not), made most
  // recently used; nullptr on a miss. Counts the hit or miss. Most requests
  // fall in the page of the last hit: that check is inline.
  const IotlbEntry* lookup(uint32_t domain, uint64_t iova) {
    if (last_hit_ != kNoSlot && covers(slots_[last_hit_], domain, iova)) return hit(last_hit_);
    return search(domain, iova);
  }
  // The slot of the entry lookup() would hit (kNoSlot: none), without
  // counting or touching anything; entry() is what it holds.
  uint32_t peek(uint32_t domain, uint64_t iova) const;
  const IotlbEntry& entry(uint32_t slot) const { return slots_[slot].entry; }
  // `count` lookups hitting the entry in `slot`, counted and leaving the LRU
  // order as that many lookup() calls would.
  void hit_times(uint32_t slot, uint64_t count);
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  // Caches a translation the walker found, replacing the least recently used
  // entry of its set and any entry of the same domain it overlaps. Entries
  // that leave this way while stale are appended to `dropped_stale`. Returns
  // the cached entry (valid until the IOTLB next changes).
  const IotlbEntry& fill(const IotlbEntry& entry, std::vector<IotlbEntry>& dropped_stale);
  // Marks the entries of `domain` overlapping [first, last] stale; appends the
  // ones that were not stale yet to `newly_stale`.
  void mark_stale(uint32_t domain, uint64_t first, uint64_t last,
                  std::vector<IotlbEntry>& newly_stale);
  // Removes the entries of `domain` overlapping [first, last]; appends the
  // stale ones among them to `dropped_stale`.
  void invalidate(uint32_t domain, uint64_t first, uint64_t last,
                  std::vector<IotlbEntry>& dropped_stale);

  const IotlbStats& stats() const { return stats_; }
  uint64_t valid_entries() const { return index_.size(); }

 private:
  struct Slot {
    IotlbEntry entry;
    uint64_t lru = 0;
    bool valid = false;
  };
  using Key = std::pair<uint32_t, uint64_t>;  // domain, iova

  static bool covers(const Slot& s, uint32_t domain, uint64_t iova) {
    return s.valid && s.entry.domain == domain && iova >= s.entry.iova &&
           iova - s.entry.iova < s.entry.size;
  }
  const IotlbEntry* hit(uint32_t slot) {
    ++stats_.hits;
    Slot& s = slots_[slot];
    s.lru = ++clock_;
    last_hit_ = slot;
    if (s.entry.stale) ++stats_.stale_hits;
    return &s.entry;
  }
  // lookup() through the index.
  const IotlbEntry* search(uint32_t domain, uint64_t iova);
  uint64_t set_of(uint32_t domain, uint64_t iova, uint64_t size) const;
  void remove(uint32_t slot);
  // First index position that may overlap [first, ...] in `domain`.
  std::map<Key, uint32_t>::iterator first_overlap(uint32_t domain, uint64_t first);

  uint64_t ways_, sets_;
  std::vector<Slot> slots_;          // sets_ x ways_, set-major
  std::map<Key, uint32_t> index_;    // valid entries by (domain, iova) -> slot
  uint64_t clock_ = 0;
  // The slot of the last hit (kNoSlot: none). A plain integer, not an
  // optional: the lookup writes and reads it on every request, and an
  // optional's flag and value written apart then read whole stall the load.
  uint32_t last_hit_ = kNoSlot;
  IotlbStats stats_;
};

}  // namespace iocsim::models
