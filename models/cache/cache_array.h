// SPDX-License-Identifier: GPL-2.0-only
// The storage of one cache level: set-associative, LRU, one line value per
// way. It knows nothing of coherence or timing; the cache hierarchy decides
// what goes in and out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::models {

struct CacheWay {
  uint64_t line = 0;  // line number (address >> 6), set by CacheArray::fill
  LineValue value;
  bool dirty = false;      // newer than the next level down (in a core: MESI Modified)
  bool exclusive = false;  // in a core: no other core holds the line (MESI Exclusive or Modified)
  // When a prefetch's data arrive (0: they have, or no prefetch brought the
  // line); a load that finds the line waits for them. Reset by every fill.
  Picos ready = 0;
};

class CacheArray {
 public:
  // `size` bytes in `ways` ways; size 0 makes an absent level. Throws
  // std::invalid_argument, naming `level`, for a geometry that does not divide.
  CacheArray(const std::string& level, uint64_t size, uint64_t ways);

  bool absent() const { return sets_ == 0; }
  uint64_t capacity() const { return sets_ * assoc_; }  // in lines
  uint64_t sets() const { return sets_; }
  CacheWay* find(uint64_t line);
  const CacheWay* find(uint64_t line) const;
  // The way `line` goes into: an invalid one, else the least recently used of
  // the set's first `ways` ways (all of them when 0). The caller evicts it.
  CacheWay& victim(uint64_t line, uint64_t ways = 0);
  // Makes `way` (victim(line)'s, evicted) hold `line`; its recency is unchanged.
  void fill(CacheWay& way, uint64_t line) {
    const size_t i = index(way);
    if (tags_[i] == kInvalid) ++recency_[set_of(line)].valid;
    way.line = line;
    way.ready = 0;
    tags_[i] = line + 1;
  }
  void invalidate(CacheWay& way) {
    const size_t i = index(way);
    if (tags_[i] == kInvalid) return;
    --recency_[set_of(way.line)].valid;
    tags_[i] = kInvalid;
  }
  bool valid(const CacheWay& way) const { return tags_[index(way)] != kInvalid; }
  // Makes `way` its set's most recently used.
  void touch(CacheWay& way);
  // Orders every set's recency by age(i), the age of the way at position i
  // (as each_valid numbers them), 0 the most recently used; every way of
  // every set must hold a line and the ages within a set must differ.
  template <typename Age>
  void order_by_age(Age age);
  // Calls fn(i, way) for every valid way, in way order (i: its position
  // among all the array's ways). Nothing until a line has been put in (a
  // core that never runs costs no memory).
  template <typename Fn>
  void each_valid(Fn fn) {
    for (size_t i = 0; i < ways_.size(); ++i)
      if (tags_[i] != kInvalid) fn(i, ways_[i]);
  }

 private:
  // A way's tag is its line number + 1 (kInvalid: the way holds nothing).
  static constexpr uint64_t kInvalid = 0;

  size_t index(const CacheWay& way) const { return static_cast<size_t>(&way - ways_.data()); }
  // Makes the arrays, on the first victim() (a core that never runs costs no memory).
  void allocate();
  // The set `line` maps to.
  size_t set_of(uint64_t line) const { return set_mask_ ? line & set_mask_ : line % sets_; }

  uint64_t sets_ = 0;
  uint64_t assoc_ = 0;
  // sets_ - 1 when sets_ is a power of two (every preset's levels): the set
  // index is then a mask, not a division, which every lookup pays.
  uint64_t set_mask_ = 0;
  // Recency is a list per set, most recently used first, linked through
  // the ways by their positions in the set: a use moves a way to the front,
  // and a full set's victim is at the back, both without a scan (a clock
  // per way, the oldest found by scanning the set, cost a scan per victim).
  // Ways never used count as the oldest, the lowest-numbered last.
  using WayIndex = uint16_t;  // a way's position in its set (the constructor refuses over 65535 ways)
  struct Recency {
    WayIndex newest = 0, oldest = 0;
    uint16_t valid = 0;  // ways holding a line: a full set needs no search for an invalid one
  };

  // What lookups read, apart from the line values, so that a lookup, which
  // most often misses and so reads the whole set, reads 8 bytes a way. This
  // and the two lists after it are sets_ x assoc_, set-major, made on first use.
  std::vector<uint64_t> tags_;
  std::vector<WayIndex> newer_, older_;  // each way's neighbours in its set's list
  std::vector<CacheWay> ways_;           // the same ways' contents
  std::vector<Recency> recency_;         // per set
};

template <typename Age>
void CacheArray::order_by_age(Age age) {
  std::vector<std::pair<uint64_t, WayIndex>> order(assoc_);
  for (size_t set = 0; set < recency_.size(); ++set) {
    const size_t first = set * assoc_;
    for (uint64_t w = 0; w < assoc_; ++w)
      order[w] = {age(first + w), static_cast<WayIndex>(w)};
    std::sort(order.begin(), order.end());
    Recency& r = recency_[set];
    r.newest = order.front().second;
    r.oldest = order.back().second;
    for (uint64_t k = 0; k < assoc_; ++k) {
      const size_t i = first + order[k].second;
      if (k > 0) newer_[i] = order[k - 1].second;
      if (k + 1 < assoc_) older_[i] = order[k + 1].second;
    }
  }
}

}  // namespace iocsim::models
