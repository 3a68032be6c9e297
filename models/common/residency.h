// SPDX-License-Identifier: GPL-2.0-only
// What a core may ask its cache directly, besides sending it transactions:
// whether a page has any line in it. A flush of a page the cache holds
// nothing of then costs the simulation arithmetic instead of a transaction
// per line, with the same simulated time and statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "base/picos.h"

namespace iocsim::models {

class ResidencyIndex {
 public:
  virtual ~ResidencyIndex() = default;
  // Lines of the 4 KiB page at `page_pa` the cache holds; O(1).
  virtual uint64_t lines_in_page(uint64_t page_pa) const = 0;
  // The numbers of the pages in [pa, end) the cache holds lines of,
  // ascending: O(pages in the range, or pages the cache holds lines of,
  // whichever is fewer).
  virtual std::vector<uint64_t> held_pages(uint64_t pa, uint64_t end) const = 0;
  // How many times a line has come into the cache so far: while it stays
  // the same, the pages held_pages() named hold lines or have since lost them.
  virtual uint64_t lines_entered() const = 0;
  // The time a maintenance op takes to find that a line is absent.
  virtual Picos lookup_latency() const = 0;
  // Counts `ops` maintenance ops that found their line absent, as the
  // transaction path would have.
  virtual void count_absent_maintenance(uint64_t ops) = 0;
};

}  // namespace iocsim::models
