// SPDX-License-Identifier: GPL-2.0-only
// The storage of one cache level: set-associative, LRU, one line value per
// way. It knows nothing of coherence or timing; the cache hierarchy decides
// what goes in and out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/common/line_value.h"

namespace iocsim::models {

struct CacheWay {
  uint64_t line = 0;  // line number (address >> 6)
  uint64_t lru = 0;
  LineValue value;
  bool valid = false;
  bool dirty = false;      // newer than the next level down (in a core: MESI Modified)
  bool exclusive = false;  // in a core: no other core holds the line (MESI Exclusive or Modified)
};

class CacheArray {
 public:
  // `size` bytes in `ways` ways; size 0 makes an absent level. Throws
  // std::invalid_argument, naming `level`, for a geometry that does not divide.
  CacheArray(const std::string& level, uint64_t size, uint64_t ways);

  bool absent() const { return sets_ == 0; }
  uint64_t capacity() const { return sets_ * assoc_; }  // in lines
  CacheWay* find(uint64_t line);
  const CacheWay* find(uint64_t line) const;
  // The way `line` goes into: an invalid one, else the least recently used of
  // the set's first `ways` ways (all of them when 0). The caller evicts it.
  CacheWay& victim(uint64_t line, uint64_t ways = 0);
  void touch(CacheWay& way) { way.lru = ++clock_; }
  // Every way; empty until a line has been put in (a core that never runs
  // costs no memory).
  std::vector<CacheWay>& ways() { return ways_; }

 private:
  // The first way of the set `line` maps to.
  CacheWay* set_of(uint64_t line) {
    return &ways_[(set_mask_ ? line & set_mask_ : line % sets_) * assoc_];
  }

  uint64_t sets_ = 0;
  uint64_t assoc_ = 0;
  // sets_ - 1 when sets_ is a power of two (every preset's levels): the set
  // index is then a mask, not a division, which every lookup pays.
  uint64_t set_mask_ = 0;
  std::vector<CacheWay> ways_;  // sets_ x assoc_, set-major, once used
  uint64_t clock_ = 0;
};

}  // namespace iocsim::models
