// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "models/cache/cache_array.h"

using iocsim::models::CacheArray;
using iocsim::models::CacheWay;

namespace {

// Fills `line` into `a` the way the hierarchy does: into its victim.
CacheWay& put(CacheArray& a, uint64_t line) {
  CacheWay& w = a.victim(line);
  w.line = line;
  w.valid = true;
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
  a.find(2)->valid = false;
  CHECK(a.victim(9).line == 2);
  CHECK(a.victim(9, 2).line == 1);  // among the first two ways only
}
