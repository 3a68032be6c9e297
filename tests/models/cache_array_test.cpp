// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "models/cache/cache_array.h"

using iocsim::models::CacheArray;
using iocsim::models::CacheWay;

namespace {

// Fills `line` into `a` the way the hierarchy does: into its victim.
CacheWay& put(CacheArray& a, uint64_t line) {
  CacheWay& w = a.victim(line);
  a.fill(w, line);
  a.touch(w);
  return w;
}

}  // namespace

TEST_CASE("a cache array maps lines to sets by the line number modulo the sets") {
  // 3 sets (divided) and 4 sets (masked): lines one set-count apart collide.
  for (uint64_t sets : {3u, 4u}) {
    CAPTURE(sets);
    CacheArray a("l", sets * 2 * 64, 2);
    REQUIRE(a.capacity() == sets * 2);
    put(a, 1);
    put(a, 1 + sets);
    CHECK(a.find(1) != nullptr);
    put(a, 1 + 2 * sets);  // the set is full: the least recently used way goes
    CHECK(a.find(1) == nullptr);
    CHECK(a.find(1 + sets) != nullptr);
    CHECK(a.find(1 + 2 * sets) != nullptr);
    put(a, 2);  // another set: nothing evicted
    CHECK(a.find(1 + sets) != nullptr);
    CHECK(a.find(2) != nullptr);
  }
}

TEST_CASE("a cache array's victim prefers an invalid way, then the least recently used") {
  CacheArray a("l", 4 * 64, 4);  // one set of 4 ways
  for (uint64_t line = 0; line < 4; ++line) put(a, line);
  a.touch(*a.find(0));
  CHECK(a.victim(9).line == 1);
  a.invalidate(*a.find(2));
  CHECK(a.find(2) == nullptr);
  CHECK(a.victim(9).line == 2);  // the invalid way, though not the least recently used
  CHECK(a.victim(9, 2).line == 1);  // among the first two ways only
  // A fill keeps the way's recency: line 9 takes over line 2's way, and
  // with it line 2's age, older than lines 0 and 3 (and 1, once touched).
  a.fill(a.victim(9), 9);
  CHECK(a.valid(*a.find(9)));
  a.touch(*a.find(1));
  CHECK(a.victim(10).line == 9);
}

TEST_CASE("a cache array visits its valid ways in order") {
  CacheArray a("l", 2 * 2 * 64, 2);  // 2 sets of 2 ways
  put(a, 0);
  put(a, 1);
  put(a, 3);
  std::vector<std::pair<size_t, uint64_t>> seen;
  a.each_valid([&](size_t i, const CacheWay& w) { seen.emplace_back(i, w.line); });
  CHECK(seen == std::vector<std::pair<size_t, uint64_t>>{{0, 0}, {2, 1}, {3, 3}});
}

namespace {

// The replacement a cache array must make, kept the plain way: a clock per
// way, the victim found by scanning the set (first invalid way, else the
// oldest, the lowest-numbered on a tie).
class ReferenceArray {
 public:
  ReferenceArray(uint64_t sets, uint64_t ways)
      : sets_(sets), ways_(ways), tag_(sets * ways, 0), age_(sets * ways, 0) {}

  size_t find(uint64_t line) const {
    for (size_t i = first(line); i < first(line) + ways_; ++i)
      if (tag_[i] == line + 1) return i;
    return kNone;
  }
  size_t victim(uint64_t line, uint64_t ways) const {
    const uint64_t candidates = ways == 0 ? ways_ : std::min(ways, ways_);
    size_t best = first(line);
    for (size_t i = first(line); i < first(line) + candidates; ++i) {
      if (tag_[i] == 0) return i;
      if (age_[i] < age_[best]) best = i;
    }
    return best;
  }
  void fill(size_t i, uint64_t line) { tag_[i] = line + 1; }
  void invalidate(size_t i) { tag_[i] = 0; }
  void touch(size_t i) { age_[i] = ++clock_; }
  std::vector<std::pair<size_t, uint64_t>> contents() const {
    std::vector<std::pair<size_t, uint64_t>> out;
    for (size_t i = 0; i < tag_.size(); ++i)
      if (tag_[i]) out.emplace_back(i, tag_[i] - 1);
    return out;
  }

  static constexpr size_t kNone = ~size_t{0};

 private:
  size_t first(uint64_t line) const { return (line % sets_) * ways_; }
  uint64_t sets_, ways_;
  std::vector<uint64_t> tag_, age_;
  uint64_t clock_ = 0;
};

}  // namespace

TEST_CASE("a cache array replaces exactly as a clock per way would, on random use") {
  std::mt19937_64 rng(20261125);
  for (int geometry = 0; geometry < 40; ++geometry) {
    const uint64_t sets = 1 + rng() % 6, ways = 1 + rng() % 9;
    CAPTURE(sets, ways);
    CacheArray array("l", sets * ways * 64, ways);
    ReferenceArray ref(sets, ways);
    const uint64_t lines = sets * ways * 3;
    for (int step = 0; step < 3000; ++step) {
      const uint64_t line = rng() % lines;
      CacheWay* way = array.find(line);
      const size_t at = ref.find(line);
      REQUIRE((way != nullptr) == (at != ReferenceArray::kNone));
      switch (rng() % 4) {
        case 0:  // use it, bringing it in if absent (into the first ways only, at times)
        case 1:
          if (!way) {
            const uint64_t only = rng() % 3 == 0 ? 1 + rng() % ways : 0;
            const size_t v = ref.victim(line, only);
            way = &array.victim(line, only);
            array.fill(*way, line);
            ref.fill(v, line);
            if (rng() % 4 == 0) break;  // filled, not yet used: keeps the way's age
            array.touch(*way);
            ref.touch(v);
          } else {
            array.touch(*way);
            ref.touch(at);
          }
          break;
        case 2:
          if (way) {
            array.invalidate(*way);
            ref.invalidate(at);
          }
          break;
        default:
          if (way) {
            array.touch(*way);
            ref.touch(at);
          }
          break;
      }
      std::vector<std::pair<size_t, uint64_t>> seen;
      array.each_valid([&](size_t i, const CacheWay& w) { seen.emplace_back(i, w.line); });
      REQUIRE(seen == ref.contents());
    }
  }
}
