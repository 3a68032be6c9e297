// SPDX-License-Identifier: GPL-2.0-only
// The sparse backing store: lines kept by block and page, against a plain
// line-by-line model.
#include "models/memory/backing_store.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

using iocsim::models::BackingStore;
using iocsim::LineValue;

TEST_CASE("a range written line by line with one value is one value per block") {
  BackingStore store;
  for (uint64_t line = 0; line < (1u << 20); ++line) store.write(line * 64, {7, 1, 0});
  CHECK(store.lines().blocks() == 32);  // 64 MiB
  CHECK(store.lines().blocks_by_page() == 0);
  CHECK(store.pages_touched() == (1u << 20) / 64);
  CHECK(store.read(12345 * 64).version == 7);
  CHECK(store.read((1u << 20) * 64).version == 0);  // past the range: never written
  store.write(100 * 64, {8, 1, 0});                 // splits its page and block
  CHECK(store.lines().blocks_by_page() == 1);
  CHECK(store.lines().split_pages() == 1);
  store.write(100 * 64, {7, 1, 0});  // and joins them again
  CHECK(store.lines().blocks_by_page() == 0);
  CHECK(store.lines().split_pages() == 0);
  CHECK(store.pages_touched() == (1u << 20) / 64);
}

TEST_CASE("the store reads back what a line-by-line store would, under random writes") {
  std::mt19937_64 random(11);
  for (int round = 0; round < 20; ++round) {
    BackingStore store;
    std::map<uint64_t, LineValue> reference;
    const uint64_t span = 1 + random() % 70000;  // lines: up to two blocks and more
    for (int i = 0; i < 5000; ++i) {
      const uint64_t line = random() % span;
      const LineValue v{1 + random() % 3, static_cast<uint32_t>(random() % 2), 0};
      // Mostly short sequential bursts, as write-backs come.
      const uint64_t burst = random() % 4 == 0 ? 1 + random() % 64 : 1;
      for (uint64_t l = line; l < line + burst; ++l) {
        store.write(l * 64, v);
        reference[l] = v;
      }
    }
    std::set<uint64_t> pages;
    for (const auto& [line, v] : reference) pages.insert(line / 64);
    for (uint64_t line = 0; line < span + 70; ++line) {
      auto it = reference.find(line);
      REQUIRE(store.read(line * 64) == (it == reference.end() ? LineValue{} : it->second));
    }
    CHECK(store.pages_touched() == pages.size());
  }
}
