// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include <random>
#include <unordered_map>

#include "analysis/line_states.h"

using iocsim::analysis::LineState;
using iocsim::analysis::LineStates;
using iocsim::LineValue;

namespace {

constexpr uint64_t kPage = 4096;

LineState state(uint64_t newest, uint64_t memory) {
  return {LineValue{newest, 1, 0}, LineValue{memory, 1, 0}};
}

}  // namespace

TEST_CASE("line states: unseen lines read as the default state") {
  LineStates s;
  CHECK(s.get(0x1000) == LineState{});
  CHECK(s.whole_page(1) == LineState{});
  CHECK(s.blocks() == 0);
}

TEST_CASE("line states: a page splits while its lines differ and is whole again when they agree") {
  LineStates s;
  const uint64_t base = 5 * kPage;
  // Zeroing the page line by line: split from the first store to the last.
  for (uint64_t i = 0; i < 64; ++i) {
    s.set(base + i * 64, state(7, 0));
    CHECK(s.split_pages() == (i < 63 ? 1u : 0u));
  }
  CHECK(s.get(base + 9 * 64) == state(7, 0));
  CHECK(s.whole_page(5) == state(7, 0));
  // Written back in reverse order: whole again only at the end.
  for (uint64_t i = 64; i-- > 0;) {
    s.set(base + i * 64, state(7, 7));
    CHECK(s.split_pages() == (i > 0 ? 1u : 0u));
  }
  CHECK(s.get(base) == state(7, 7));
  // Setting a whole page's state again changes nothing.
  s.set(base + 64, state(7, 7));
  CHECK(s.split_pages() == 0);
  CHECK(s.blocks() == 1);
  // The first and last lines agreeing is not enough.
  s.set(base + 5 * 64, state(8, 7));
  s.set(base, state(8, 7));
  s.set(base + 63 * 64, state(8, 7));
  CHECK(s.split_pages() == 1);
  CHECK_FALSE(s.whole_page(5));
  CHECK(s.get(base + 6 * 64) == state(7, 7));
}

TEST_CASE("line states agree with a line-by-line map under random writes") {
  std::mt19937_64 rng(42);
  LineStates s;
  std::unordered_map<uint64_t, LineState> model;
  for (int i = 0; i < 200000; ++i) {
    // Few pages and few values, so pages often become whole again.
    const uint64_t pa = (rng() % 4) * kPage + (rng() % 64) * 64;
    const LineState v = state(rng() % 3, rng() % 2);
    s.set(pa, v);
    model[pa] = v;
    const uint64_t probe = (rng() % 5) * kPage + (rng() % 64) * 64;
    auto it = model.find(probe);
    REQUIRE(s.get(probe) == (it == model.end() ? LineState{} : it->second));
  }
  for (const auto& [pa, v] : model) REQUIRE(s.get(pa) == v);
}

TEST_CASE("line states agree with a line-by-line map across blocks that split and join") {
  // (Runs are set line by line or a page at a time with set_page.)
  std::mt19937_64 rng(GENERATE(7, 8, 9));
  constexpr uint64_t kBlock = 512 * kPage;
  LineStates s;
  std::unordered_map<uint64_t, LineState> model;
  auto get = [&](uint64_t pa) {
    auto it = model.find(pa);
    return it == model.end() ? LineState{} : it->second;
  };
  for (int i = 0; i < 400; ++i) {
    // Whole runs of pages set line by line in one state (a zeroing, a
    // write-back), sometimes a whole block, across the boundary between
    // two blocks, amid single lines set to something else.
    const LineState v = state(rng() % 3, rng() % 2);
    const uint64_t first = kBlock - 8 * kPage + (rng() % 16) * kPage;
    const uint64_t pages = rng() % 4 == 0 ? 512 : 1 + rng() % 12;
    const uint64_t from = rng() % 3 == 0 ? kBlock : first;
    const bool by_page = rng() % 2;  // set_page, or set() line by line
    for (uint64_t pa = from; pa < from + pages * kPage; pa += 64) {
      if (!by_page) {
        s.set(pa, v);
        model[pa] = v;
      } else if (pa % kPage == 0) {
        s.set_page(pa / kPage, v);
        for (uint64_t l = 0; l < 64; ++l) model[pa + l * 64] = v;
      }
      if (rng() % 512 == 0) {
        const uint64_t other = (rng() % 1100) * kPage + (rng() % 64) * 64;
        const LineState w = state(rng() % 3, rng() % 2);
        s.set(other, w);
        model[other] = w;
      }
    }
    for (int probe = 0; probe < 200; ++probe) {
      const uint64_t pa = (rng() % 1100) * kPage + (rng() % 64) * 64;
      REQUIRE(s.get(pa) == get(pa));
      const uint64_t page = pa / kPage;
      std::optional<LineState> whole = get(page * kPage);
      for (uint64_t l = 1; l < 64 && whole; ++l)
        if (get(page * kPage + l * 64) != *whole) whole.reset();
      REQUIRE(s.whole_page(page) == whole);
    }
  }
  CHECK(s.blocks() <= 3);
}

TEST_CASE("line states: a 2 MiB block zeroed and written back is kept as one state") {
  LineStates s;
  const uint64_t block = 3 * 512 * kPage;
  for (uint64_t pa = block; pa < block + 512 * kPage; pa += 64) {
    s.set(pa, state(4, 0));
    CHECK(s.blocks_by_page() == (pa + 64 < block + 512 * kPage ? 1u : 0u));
  }
  for (uint64_t pa = block + 512 * kPage; pa > block;) s.set(pa -= 64, state(4, 4));
  CHECK(s.blocks() == 1);
  CHECK(s.blocks_by_page() == 0);
  CHECK(s.split_pages() == 0);
  CHECK(s.whole_page(3 * 512 + 100) == state(4, 4));
  s.set(block + 7 * kPage, state(5, 4));
  CHECK(s.blocks_by_page() == 1);
  CHECK(s.split_pages() == 1);
  CHECK(s.get(block + 7 * kPage + 64) == state(4, 4));
}
