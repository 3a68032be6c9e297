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
  uint64_t line = 0;  // line number (address >> 6), set by CacheArray::fill
  LineValue value;
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
  // Makes `way` (a victim, evicted) hold `line`; its recency is unchanged.
  void fill(CacheWay& way, uint64_t line) {
    way.line = line;
    tags_[index(way)].tag = line + 1;
  }
  void invalidate(CacheWay& way) { tags_[index(way)].tag = kInvalid; }
  bool valid(const CacheWay& way) const { return tags_[index(way)].tag != kInvalid; }
  void touch(CacheWay& way) { tags_[index(way)].lru = ++clock_; }
  // Calls fn(i, way) for every valid way, in way order (i: its position
  // among all the array's ways). Nothing until a line has been put in (a
  // core that never runs costs no memory).
  template <typename Fn>
  void each_valid(Fn fn) {
    for (size_t i = 0; i < ways_.size(); ++i)
      if (tags_[i].tag != kInvalid) fn(i, ways_[i]);
  }

 private:
  // What lookups and replacement read, kept apart from the line values so
  // that a set's scan reads 16 bytes a way: the tag is the line number + 1
  // (kInvalid: the way holds nothing).
  struct Tag {
    uint64_t tag = 0;
    uint64_t lru = 0;
  };
  static constexpr uint64_t kInvalid = 0;

  size_t index(const CacheWay& way) const { return static_cast<size_t>(&way - ways_.data()); }
  // The position of the first way of the set `line` maps to.
  size_t set_of(uint64_t line) const {
    return (set_mask_ ? line & set_mask_ : line % sets_) * assoc_;
  }

  uint64_t sets_ = 0;
  uint64_t assoc_ = 0;
  // sets_ - 1 when sets_ is a power of two (every preset's levels): the set
  // index is then a mask, not a division, which every lookup pays.
  uint64_t set_mask_ = 0;
  std::vector<Tag> tags_;       // sets_ x assoc_, set-major, once used
  std::vector<CacheWay> ways_;  // the same ways' contents
  uint64_t clock_ = 0;
};

}  // namespace iocsim::models
