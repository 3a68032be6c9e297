// SPDX-License-Identifier: GPL-2.0-only
// PagedLines' range operations (set_range, update_range, for_each_piece)
// against the same changes made line by line with set(): the same values,
// and the same blocks, pages and split pages kept.
#include "base/paged_lines.h"

#include <catch2/catch.hpp>
#include <random>

using iocsim::LineValue;
using iocsim::PagedLines;

namespace {

constexpr uint64_t kBlockLines = 512 * 64;

void require_alike(const PagedLines<LineValue>& a, const PagedLines<LineValue>& b,
                   uint64_t span) {
  REQUIRE(a.blocks() == b.blocks());
  REQUIRE(a.blocks_by_page() == b.blocks_by_page());
  REQUIRE(a.split_pages() == b.split_pages());
  REQUIRE(a.pages_set() == b.pages_set());
  for (uint64_t line = 0; line < span; ++line) REQUIRE(a.get(line * 64) == b.get(line * 64));
}

}  // namespace

TEST_CASE("range operations on paged lines do what set() line by line does") {
  std::mt19937_64 random(5);
  auto pick = [&](uint64_t n) { return random() % n; };
  for (int round = 0; round < 30; ++round) {
    PagedLines<LineValue> by_range, by_line;
    const uint64_t span = 1 + pick(3 * kBlockLines);
    INFO("round " << round << ", " << span << " lines");
    for (int op = 0; op < 300; ++op) {
      // Ranges of every shape: single lines, parts of pages, whole pages
      // and blocks, aligned or not; values few, so that pieces join again.
      uint64_t first = pick(span);
      if (pick(3) == 0) first -= first % (pick(2) ? 64 : kBlockLines);  // a page or block start
      uint64_t lines = 1 + pick(pick(4) == 0 ? kBlockLines + 100 : 200);
      if (pick(3) == 0) lines = (1 + pick(3)) * (pick(2) ? 64 : kBlockLines);
      lines = std::min(lines, span - first);
      const LineValue value{pick(3), static_cast<uint32_t>(pick(2)), 0};
      switch (pick(3)) {
        case 0:
          by_range.set_range(first * 64, lines, value);
          for (uint64_t l = first; l < first + lines; ++l) by_line.set(l * 64, value);
          break;
        case 1: {
          auto bump = [](LineValue v) { return LineValue{(v.version + 1) % 3, v.owner, 0}; };
          by_range.update_range(first * 64, lines, bump);
          for (uint64_t l = first; l < first + lines; ++l)
            by_line.set(l * 64, bump(by_line.get(l * 64)));
          break;
        }
        default: {
          // The pieces cover the range in order, each of one value.
          uint64_t next = first * 64;
          by_range.for_each_piece(first * 64, lines, [&](uint64_t pa, uint64_t n, LineValue v) {
            REQUIRE(pa == next);
            for (uint64_t i = 0; i < n; ++i) REQUIRE(by_line.get(pa + i * 64) == v);
            next = pa + n * 64;
          });
          REQUIRE(next == (first + lines) * 64);
        }
      }
      // Read right away, through whatever the memory remembers of the pages
      // it just changed.
      for (uint64_t l : {first, first + lines - 1, first - first % 64, pick(span)})
        REQUIRE(by_range.get(l * 64) == by_line.get(l * 64));
    }
    require_alike(by_range, by_line, span + 64);
  }
}

TEST_CASE("a block set as a range is one value, and a block of pages becomes one again") {
  PagedLines<LineValue> lines;
  lines.set_range(0, 3 * kBlockLines, {4, 1, 0});
  CHECK(lines.blocks() == 3);
  CHECK(lines.blocks_by_page() == 0);
  lines.set_range(100 * 64, 1000, {5, 1, 0});  // part of a page, pages, part of a page
  CHECK(lines.blocks_by_page() == 1);
  CHECK(lines.split_pages() == 2);
  CHECK(lines.get((100 + 999) * 64).version == 5);  // the page just changed is remembered
  lines.set_range(0, kBlockLines, {4, 1, 0});
  CHECK(lines.get((100 + 999) * 64).version == 4);  // and read anew
  CHECK(lines.blocks_by_page() == 0);
  CHECK(lines.split_pages() == 0);
  uint64_t pieces = 0;
  lines.for_each_piece(0, 3 * kBlockLines, [&](uint64_t, uint64_t n, LineValue v) {
    ++pieces;
    CHECK(n == kBlockLines);
    CHECK(v.version == 4);
  });
  CHECK(pieces == 3);
  lines.set_range(kBlockLines * 64, kBlockLines, {});  // back to what it never written reads
  CHECK(lines.pages_set() == 2 * 512);
}
