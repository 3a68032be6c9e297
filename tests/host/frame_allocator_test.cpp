// SPDX-License-Identifier: GPL-2.0-only
#include <random>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include "host/frame_allocator.h"

using iocsim::host::FrameAllocator;
using iocsim::host::FrameRun;

TEST_CASE("fresh frames are handed out lowest first") {
  FrameAllocator frames(100, 200);
  auto a = frames.allocate(3);
  REQUIRE(a);
  REQUIRE(a->size() == 1);
  CHECK(a->front().pfn == 100);
  CHECK(a->front().count == 3);
  CHECK(frames.free_frames() == 97);
}

TEST_CASE("the most recently freed frames are reused first, in ascending order") {
  FrameAllocator frames(0, 1000);
  REQUIRE(frames.allocate(30));  // 0..29
  frames.free(0, 10);
  frames.free(20, 10);  // most recent: 20..29
  auto c = frames.allocate(4);
  REQUIRE(c);
  CHECK(c->front().pfn == 20);
  CHECK(c->front().count == 4);
  auto d = frames.allocate(8);  // the rest of 20..29, then 0..1
  REQUIRE(d->size() == 2);
  CHECK(d->at(0).pfn == 24);
  CHECK(d->at(0).count == 6);
  CHECK(d->at(1).pfn == 0);
  CHECK(d->at(1).count == 2);
}

TEST_CASE("adjacent frees merge into one run, handed out from its start like a buddy block") {
  FrameAllocator frames(0, 1000);
  REQUIRE(frames.allocate(20));
  for (uint64_t pfn = 0; pfn < 20; ++pfn) frames.free(pfn, 1);  // page by page, as munmap does
  auto again = frames.allocate(20);
  REQUIRE(again->size() == 1);
  CHECK(again->front().pfn == 0);
}

TEST_CASE("fixed and aligned allocations take exactly what they ask for") {
  FrameAllocator frames(0, 4096);
  CHECK(frames.allocate_at(600, 4));
  CHECK_FALSE(frames.allocate_at(602, 1));  // taken
  CHECK_FALSE(frames.is_free(601));
  auto huge = frames.allocate_aligned(512);
  REQUIRE(huge);
  CHECK(*huge % 512 == 0);
  CHECK((*huge >= 604 || *huge + 512 <= 600));
  frames.free(600, 4);
  CHECK(frames.is_free(601));
}

TEST_CASE("exhaustion and double frees are caught") {
  FrameAllocator frames(0, 8);
  CHECK_FALSE(frames.allocate(9));
  CHECK(frames.free_frames() == 8);
  auto all = frames.allocate(8);
  REQUIRE(all);
  CHECK_FALSE(frames.allocate(1));
  frames.free(3, 1);
  CHECK_THROWS_AS(frames.free(3, 1), std::logic_error);
  CHECK_THROWS_AS(frames.free(8, 1), std::logic_error);
}

TEST_CASE("random allocations and frees hand out each free frame once, and account for all") {
  // A set of the free frames is the reference: every frame handed out was
  // free, nothing is handed out twice, and is_free and free_frames agree.
  std::mt19937_64 rng(GENERATE(31, 32, 33));
  constexpr uint64_t kFirst = 16, kEnd = 4096;
  FrameAllocator frames(kFirst, kEnd);
  std::set<uint64_t> free_set;
  for (uint64_t pfn = kFirst; pfn < kEnd; ++pfn) free_set.insert(pfn);
  std::vector<FrameRun> held;
  auto take = [&](uint64_t pfn, uint64_t count) {
    for (uint64_t f = pfn; f < pfn + count; ++f) REQUIRE(free_set.erase(f) == 1);
    held.push_back({pfn, count});
  };
  for (int op = 0; op < 3000; ++op) {
    INFO("operation " << op);
    switch (rng() % 4) {
      case 0: {
        const uint64_t count = 1 + rng() % 40;
        auto got = frames.allocate(count);
        REQUIRE(got.has_value() == (count <= free_set.size()));
        uint64_t total = 0;
        if (got)
          for (const FrameRun& r : *got) {
            take(r.pfn, r.count);
            total += r.count;
          }
        CHECK(total == (got ? count : 0));
        break;
      }
      case 1: {
        const uint64_t pfn = kFirst + rng() % (kEnd - kFirst - 8), count = 1 + rng() % 8;
        bool all_free = true;
        for (uint64_t f = pfn; f < pfn + count; ++f) all_free = all_free && free_set.count(f);
        REQUIRE(frames.allocate_at(pfn, count) == all_free);
        if (all_free) take(pfn, count);
        break;
      }
      case 2:
        if (auto pfn = frames.allocate_aligned(8)) {
          CHECK(*pfn % 8 == 0);
          take(*pfn, 8);
        }
        break;
      default:
        if (!held.empty()) {
          const size_t i = rng() % held.size();
          frames.free(held[i].pfn, held[i].count);
          for (uint64_t f = held[i].pfn; f < held[i].pfn + held[i].count; ++f) free_set.insert(f);
          held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    REQUIRE(frames.free_frames() == free_set.size());
  }
  for (uint64_t pfn = kFirst; pfn < kEnd; ++pfn) CHECK(frames.is_free(pfn) == free_set.count(pfn));
}

TEST_CASE("a fragmented machine's faults land apart, a run at a time, covering each region once") {
  constexpr uint64_t kRegion = FrameAllocator::kRegionPageblocks * FrameAllocator::kPageblockFrames;
  for (uint64_t run : {uint64_t{1}, uint64_t{4}, uint64_t{256}}) {
    INFO("run " << run);
    FrameAllocator frames(100, 100 + 3 * kRegion);
    std::vector<uint64_t> got;
    for (uint64_t i = 0; i < 2 * kRegion; ++i) got.push_back(*frames.allocate_in_runs(run));
    // The first region starts at the first free pageblock boundary, and its
    // first run lies in its third pageblock.
    CHECK(got.front() == 512 + 2 * 512);
    for (uint64_t i = 1; i < got.size(); ++i) {
      INFO("fault " << i);
      // Consecutive within a run, apart between runs, whole pageblocks after
      // the previous run's end.
      if (i % run) {
        CHECK(got[i] == got[i - 1] + 1);
      } else {
        CHECK(got[i] != got[i - 1] + 1);
        CHECK((got[i] - (got[i - 1] + 1)) % FrameAllocator::kPageblockFrames == 0);
      }
    }
    const std::set<uint64_t> first(got.begin(), got.begin() + kRegion);
    CHECK(first.size() == kRegion);
    CHECK(*first.begin() == 512);
    CHECK(*first.rbegin() == 512 + kRegion - 1);
    CHECK(std::set<uint64_t>(got.begin(), got.end()).size() == got.size());
  }
}

TEST_CASE("a fragmented machine still hands out recently freed frames first") {
  FrameAllocator frames(0, 1 << 16);
  const uint64_t a = *frames.allocate_in_runs(1), b = *frames.allocate_in_runs(1);
  frames.free(a, 1);
  CHECK(*frames.allocate_in_runs(1) == a);
  CHECK(*frames.allocate_in_runs(1) != b + 1);
}

TEST_CASE("runs of a pageblock or more, or none, allocate as allocate(1) does") {
  for (uint64_t run : {uint64_t{0}, uint64_t{512}, uint64_t{1} << 20}) {
    FrameAllocator frames(100, 10000), reference(100, 10000);
    std::vector<uint64_t> got;
    for (int i = 0; i < 50; ++i) {
      got.push_back(*frames.allocate_in_runs(run));
      CHECK(got.back() == reference.allocate(1)->front().pfn);
      if (i % 7 == 3) {  // give back the one before last
        frames.free(got[got.size() - 2], 1);
        reference.free(got[got.size() - 2], 1);
        got.erase(got.end() - 2);
      }
    }
  }
}
