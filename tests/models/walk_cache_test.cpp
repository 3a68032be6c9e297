// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "models/iommu/walk_cache.h"

using iocsim::models::WalkCache;

namespace {
constexpr uint64_t k2M = 2ull << 20, k1G = 1ull << 30;
}  // namespace

TEST_CASE("a walk cache finds the deepest cached level covering an IOVA") {
  WalkCache cache(8);
  CHECK(cache.deepest(1, 0, 1, 4) == 5);  // empty: from the root
  cache.fill(1, 4, 0);
  cache.fill(1, 3, 0);
  cache.fill(1, 2, 0);
  CHECK(cache.deepest(1, 0x1000, 1, 4) == 2);       // same 2 MiB region
  CHECK(cache.deepest(1, k2M, 1, 4) == 3);          // next 2 MiB region, same 1 GiB
  CHECK(cache.deepest(1, k1G, 1, 4) == 4);          // next 1 GiB, same 512 GiB
  CHECK(cache.deepest(1, 0, 2, 4) == 3);            // a 2 MiB leaf skips the level-2 entry
  CHECK(cache.deepest(2, 0, 1, 4) == 5);            // another domain
  CHECK(cache.stats().hits == 4);
  CHECK(cache.stats().misses == 2);
}

TEST_CASE("a full walk cache replaces its least recently used entry") {
  WalkCache cache(2);
  cache.fill(1, 2, 0);
  cache.fill(1, 2, k2M);
  CHECK(cache.deepest(1, 0, 1, 4) == 2);  // touches the first
  cache.fill(1, 2, 2 * k2M);               // replaces the second
  CHECK(cache.deepest(1, 0, 1, 4) == 2);
  CHECK(cache.deepest(1, k2M, 1, 4) == 5);
  CHECK(cache.deepest(1, 2 * k2M, 1, 4) == 2);
}

TEST_CASE("invalidating a domain drops only its entries, and zero entries make no cache") {
  WalkCache cache(4);
  cache.fill(1, 2, 0);
  cache.fill(2, 2, 0);
  cache.invalidate(1);
  CHECK(cache.deepest(1, 0, 1, 4) == 5);
  CHECK(cache.deepest(2, 0, 1, 4) == 2);
  WalkCache none(0);
  none.fill(1, 2, 0);
  CHECK(none.deepest(1, 0, 1, 4) == 5);
}
