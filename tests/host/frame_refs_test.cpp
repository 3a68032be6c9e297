// SPDX-License-Identifier: GPL-2.0-only
#include "host/frame_refs.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>

using iocsim::SetDigest;
using iocsim::host::FrameRef;
using iocsim::host::FrameRefs;

namespace {
// The digest of the pinned frames, worked out from scratch.
SetDigest pins_of(const std::map<uint64_t, FrameRef>& frames) {
  SetDigest d;
  for (const auto& [pfn, f] : frames)
    if (f.pincount) d.add(pfn, f.pincount);
  return d;
}
}  // namespace

TEST_CASE("frame reference counts are kept per frame, whatever the frames' order") {
  std::mt19937_64 rng(GENERATE(11, 12, 13));
  FrameRefs refs;
  std::map<uint64_t, FrameRef> ref;
  for (int step = 0; step < 40000; ++step) {
    // Frames from three blocks, one of them across a block boundary; counts
    // from a small range, so that blocks often agree again.
    const uint64_t pfn = (rng() % 3) * 5000 + 1000 + rng() % 600;
    const std::optional<FrameRef> f = refs.find(pfn);
    auto it = ref.find(pfn);
    REQUIRE(f.has_value() == (it != ref.end()));
    const FrameRef counts{static_cast<uint32_t>(rng() % 2), static_cast<uint32_t>(rng() % 3)};
    if (!f) {
      // A run of untracked frames from here, added at once, or the frame alone.
      uint64_t run = 1;
      if (rng() % 4 == 0)
        while (run < 600 && !ref.count(pfn + run) && rng() % 64) ++run;
      if (run == 1) refs.add(pfn, counts);
      else refs.add_run(pfn, run, counts);
      for (uint64_t i = 0; i < run; ++i) ref[pfn + i] = counts;
      continue;
    }
    REQUIRE(*f == it->second);
    // The digest, read now and then, follows every change since the last read.
    if (step % 997 == 0) REQUIRE(refs.pin_digest() == pins_of(ref));
    if (rng() % 4 == 0) {
      refs.erase(pfn);
      ref.erase(it);
    } else {
      refs.set(pfn, counts);
      it->second = counts;
    }
  }
  std::map<uint64_t, FrameRef> walked;
  refs.for_each([&](uint64_t pfn, const FrameRef& f) { CHECK(walked.emplace(pfn, f).second); });
  CHECK(walked == ref);
  CHECK(refs.pin_digest() == pins_of(ref));
}

TEST_CASE("pinning a run of frames does what set() does frame by frame") {
  std::mt19937_64 rng(GENERATE(21, 22, 23));
  FrameRefs runs, by_frame;
  // Three blocks, frames added in a random order with counts that often agree.
  for (uint64_t pfn = 1000; pfn < 2536; ++pfn) {
    if (rng() % 8 == 0) continue;  // not tracked
    const FrameRef counts{1, static_cast<uint32_t>(rng() % 4 == 0)};
    runs.add(pfn, counts);
    by_frame.add(pfn, counts);
  }
  for (int step = 0; step < 3000; ++step) {
    const uint64_t pfn = 1000 + rng() % 1536;
    uint64_t count = 1 + rng() % (rng() % 2 ? 8 : 700);
    count = std::min<uint64_t>(count, 2536 - pfn);
    bool tracked = true;
    for (uint64_t i = 0; i < count; ++i) tracked = tracked && by_frame.find(pfn + i).has_value();
    if (!tracked) continue;
    runs.pin_run(pfn, count);
    for (uint64_t i = 0; i < count; ++i) {
      FrameRef f = *by_frame.find(pfn + i);
      ++f.pincount;
      by_frame.set(pfn + i, f);
    }
    if (rng() % 2) {  // and an unpin, so that blocks agree again
      const uint64_t u = pfn + rng() % count;
      FrameRef f = *by_frame.find(u);
      --f.pincount;
      by_frame.set(u, f);
      runs.set(u, f);
    }
    REQUIRE(runs.blocks_by_frame() == by_frame.blocks_by_frame());
  }
  std::map<uint64_t, FrameRef> a, b;
  runs.for_each([&](uint64_t pfn, const FrameRef& f) { a.emplace(pfn, f); });
  by_frame.for_each([&](uint64_t pfn, const FrameRef& f) { b.emplace(pfn, f); });
  CHECK(a == b);
  CHECK(runs.pin_digest() == pins_of(a));
  CHECK(by_frame.pin_digest() == pins_of(b));
}

TEST_CASE("the pin digest comes back when pins are dropped again, and tells frames apart") {
  FrameRefs refs;
  refs.add_run(1000, 1024, {1, 0});
  const SetDigest none = refs.pin_digest();
  CHECK(none == SetDigest{});
  refs.pin_run(1200, 3);
  const SetDigest three = refs.pin_digest();
  CHECK(three.count == 3);
  refs.set(1201, {1, 0});
  refs.set(1205, {1, 1});  // a pin on another frame: the same count, another set
  const SetDigest moved = refs.pin_digest();
  CHECK(moved.count == 3);
  CHECK_FALSE(moved == three);
  refs.set(1205, {1, 0});
  refs.set(1201, {1, 1});
  CHECK(refs.pin_digest() == three);
  refs.erase(1200);  // a pinned frame no longer tracked
  CHECK(refs.pin_digest().count == 2);
}

TEST_CASE("a block mapped, then pinned, frame by frame keeps one pair of counts at the end") {
  FrameRefs refs;
  const uint64_t first = 7 * 512;
  for (uint64_t i = 0; i < 512; ++i) refs.add(first + i, {1, 0});
  CHECK(refs.blocks_by_frame() == 0);
  for (uint64_t i = 0; i < 512; ++i) {
    refs.set(first + i, {1, 1});
    CHECK(refs.blocks_by_frame() == (i < 511 ? 1u : 0u));
  }
  CHECK(*refs.find(first + 300) == FrameRef{1, 1});
  // Unpinned in another order: counts per frame again until the last.
  for (uint64_t i = 512; i-- > 0;) refs.set(first + (i * 7) % 512, {1, 0});
  CHECK(refs.blocks_by_frame() == 0);
  // A frame that differs, then goes: the rest agree.
  refs.set(first + 9, {2, 0});
  CHECK(refs.blocks_by_frame() == 1);
  refs.erase(first + 9);
  CHECK(refs.blocks_by_frame() == 0);
  CHECK_FALSE(refs.find(first + 9));
  CHECK(*refs.find(first + 10) == FrameRef{1, 0});
}

TEST_CASE("tracking a frame twice, or changing or dropping one not tracked, is a logic error") {
  FrameRefs refs;
  refs.add(512, {1, 0});
  CHECK_THROWS_AS(refs.add(512, {1, 0}), std::logic_error);
  CHECK_THROWS_AS(refs.erase(513), std::logic_error);
  CHECK_THROWS_AS(refs.set(513, {1, 0}), std::logic_error);
  CHECK_THROWS_AS(refs.pin_run(511, 1), std::logic_error);
  CHECK_THROWS_AS(refs.pin_run(512, 2), std::logic_error);
  CHECK_THROWS_AS(refs.add_run(510, 3, {1, 0}), std::logic_error);
  refs.erase(512);
  CHECK_FALSE(refs.find(512));
  CHECK_THROWS_AS(refs.erase(512), std::logic_error);
}
