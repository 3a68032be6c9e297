// SPDX-License-Identifier: GPL-2.0-only
#include "host/frame_refs.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>

using iocsim::host::FrameRef;
using iocsim::host::FrameRefs;

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
      refs.add(pfn, counts);
      ref[pfn] = counts;
      continue;
    }
    REQUIRE(*f == it->second);
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
  refs.erase(512);
  CHECK_FALSE(refs.find(512));
  CHECK_THROWS_AS(refs.erase(512), std::logic_error);
}
