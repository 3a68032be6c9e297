// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

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
