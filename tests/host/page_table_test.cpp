// SPDX-License-Identifier: GPL-2.0-only
#include "host/page_table.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <tuple>
#include <vector>

using iocsim::host::PageTable;

namespace {

constexpr uint64_t kBlock = PageTable::kBlockPages;

struct Run {
  uint64_t vpn, pfn, pages;
  bool operator==(const Run& o) const {
    return std::tie(vpn, pfn, pages) == std::tie(o.vpn, o.pfn, o.pages);
  }
};

std::vector<Run> runs_of(const PageTable& t, uint64_t first, uint64_t end) {
  std::vector<Run> runs;
  t.for_each_run(first, end, [&](uint64_t vpn, uint64_t pfn, uint64_t pages) {
    runs.push_back({vpn, pfn, pages});
  });
  return runs;
}

// The runs a map of pages must come out as: maximal runs of consecutive
// pages at consecutive frames, cut at block boundaries.
std::vector<Run> expected_runs(const std::map<uint64_t, uint64_t>& ref, uint64_t first,
                               uint64_t end) {
  std::vector<Run> runs;
  for (auto it = ref.lower_bound(first); it != ref.end() && it->first < end; ++it) {
    const auto [vpn, pfn] = *it;
    if (!runs.empty()) {
      Run& last = runs.back();
      if (last.vpn + last.pages == vpn && last.pfn + last.pages == pfn && vpn % kBlock != 0) {
        ++last.pages;
        continue;
      }
    }
    runs.push_back({vpn, pfn, 1});
  }
  return runs;
}

}  // namespace

TEST_CASE("a page table finds, counts, skips and walks in runs what a map of pages does") {
  std::mt19937_64 rng(GENERATE(1, 2, 3, 4, 5));
  PageTable table;
  std::map<uint64_t, uint64_t> ref;
  const uint64_t span = 4 * kBlock;  // four blocks, not aligned to one
  const uint64_t origin = 3 * kBlock + 100;
  uint64_t next_frame = 1000;
  for (int step = 0; step < 6000; ++step) {
    const uint64_t vpn = origin + rng() % span;
    switch (rng() % 4) {
      case 0:  // the next frame of a run, as faulting in order gives
      case 1: {
        const uint64_t pfn = next_frame++;
        table.set(vpn, pfn);
        ref[vpn] = pfn;
        break;
      }
      case 2: {  // a frame from anywhere, even below the block's would-be base
        const uint64_t pfn = rng() % 600;
        table.set(vpn, pfn);
        ref[vpn] = pfn;
        break;
      }
      default:
        if (rng() % 32 == 0) {  // a run: a folio, or pages mapped together
          const bool folio = rng() % 2;
          const uint64_t first = folio ? vpn & ~(kBlock - 1) : vpn;
          const uint64_t pages = folio ? kBlock : 1 + rng() % 700;
          const uint64_t pfn = rng() % 2 ? next_frame : rng() % 600;
          table.set_run(first, pfn, pages);
          for (uint64_t i = 0; i < pages; ++i) ref[first + i] = pfn + i;
          next_frame += pages;
          break;
        }
        table.erase(vpn);
        ref.erase(vpn);
    }
    const uint64_t probe = origin - 5 + rng() % (span + 10);
    auto it = ref.find(probe);
    REQUIRE(table.find(probe) == (it == ref.end() ? std::nullopt : std::optional(it->second)));
    const uint64_t run_end = probe + rng() % 1000;
    uint64_t run = 0;
    if (it != ref.end())
      for (auto r = it; r != ref.end() && r->first == probe + run && r->second == it->second + run &&
                        r->first < run_end && (run == 0 || r->first % kBlock != 0);
           ++r)
        ++run;
    const std::pair<uint64_t, uint64_t> expected_run{run ? it->second : 0, run};
    REQUIRE(table.run_at(probe, run_end) == expected_run);
    uint64_t a = origin - 5 + rng() % (span + 10), b = origin - 5 + rng() % (span + 10);
    if (a > b) std::swap(a, b);
    uint64_t n = 0;
    for (auto r = ref.lower_bound(a); r != ref.end() && r->first < b; ++r) ++n;
    REQUIRE(table.count(a, b) == n);
    uint64_t absent = a;
    while (absent < b && ref.count(absent)) ++absent;
    REQUIRE(table.next_absent(a, b) == absent);
    REQUIRE(table.count(0, ~uint64_t{0} >> 12) == ref.size());
    if (step % 50 == 0) REQUIRE(runs_of(table, a, b) == expected_runs(ref, a, b));
  }
  REQUIRE(runs_of(table, 0, ~uint64_t{0} >> 12) == expected_runs(ref, 0, ~uint64_t{0} >> 12));
}

TEST_CASE("a block faulted in from a run of frames walks as one run, an aligned folio too") {
  PageTable table;
  for (uint64_t i = 0; i < kBlock; ++i) table.set(5 * kBlock + i, 77 * kBlock + i);
  CHECK(runs_of(table, 0, 100 * kBlock) == std::vector<Run>{{5 * kBlock, 77 * kBlock, kBlock}});
  // Pages faulted in out of order, each at the frame its place calls for.
  table.set(9 * kBlock + 7, 40);
  table.set(9 * kBlock + 3, 36);
  table.set(9 * kBlock + 4, 37);
  CHECK(runs_of(table, 9 * kBlock, 10 * kBlock) ==
        std::vector<Run>{{9 * kBlock + 3, 36, 2}, {9 * kBlock + 7, 40, 1}});
  table.erase(5 * kBlock + 10);
  CHECK(table.count(5 * kBlock, 6 * kBlock) == kBlock - 1);
  CHECK(runs_of(table, 5 * kBlock + 8, 5 * kBlock + 12) ==
        std::vector<Run>{{5 * kBlock + 8, 77 * kBlock + 8, 2},
                         {5 * kBlock + 11, 77 * kBlock + 11, 1}});
}
