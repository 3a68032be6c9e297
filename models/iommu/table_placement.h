// SPDX-License-Identifier: GPL-2.0-only
// Where the pages of the I/O page tables sit in physical memory, so that the
// walker's reads go to real addresses (and so meet real cache and DRAM state).
//
// Radix layout of VT-d second-level, AMD-Vi v1 and LPAE tables with a 4 KiB
// granule (docs/hardware-parameters.md 6.1): level 1 holds the PTEs of 4 KiB pages, each level
// above indexes 9 more IOVA bits, and an entry is 8 bytes. A level-L table
// page covers 2^(12 + 9L) bytes of IOVA space.
//
// Table pages are kernel memory. They are taken from a pool in the memory the
// page allocator never hands out (below host.reserved_below), lazily, the
// first time a walk needs one, and go back to the pool when their domain is
// freed. When a platform needs more table pages than the pool holds, pages are
// shared (`aliased()` counts how often): that only changes which walk reads hit the
// same lines, never a translation.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "base/stats.h"

namespace iocsim::models {

class TablePlacement : public stats::Provider {
 public:
  // The pool is [base, base + size), whole 4 KiB pages, at least one.
  TablePlacement(uint64_t base, uint64_t size);

  // The physical address of the 8-byte entry that translates `iova` at
  // `level` (1 = the PTEs of 4 KiB pages) in `domain`'s table.
  uint64_t entry_address(uint32_t domain, unsigned level, uint64_t iova);
  // The domain's table pages return to the pool.
  void release(uint32_t domain);

  uint64_t table_pages() const { return nodes_.size(); }
  uint64_t aliased() const { return aliased_; }
  // The units' section: the pool is theirs.
  static constexpr const char* kStatsSection = "iommu";
  const stats::Group& statistics() const override { return statistics_; }

 private:
  using Node = std::tuple<uint32_t, unsigned, uint64_t>;  // domain, level, iova >> span

  uint64_t take_page();

  uint64_t base_, pages_;
  uint64_t next_ = 0;               // next never-used page of the pool
  std::vector<uint64_t> free_;      // released pages with no users, reused first
  std::map<uint64_t, uint32_t> users_;  // pages in use -> how many table pages they hold
  std::map<Node, uint64_t> nodes_;  // -> physical address of the table page
  uint64_t aliased_ = 0;
  stats::Group statistics_{kStatsSection};
};

}  // namespace iocsim::models
