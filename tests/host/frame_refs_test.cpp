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
  std::map<uint64_t, std::pair<uint32_t, uint32_t>> ref;  // pfn -> (mapcount, pincount)
  for (int step = 0; step < 20000; ++step) {
    // Frames from three blocks, one of them across a block boundary.
    const uint64_t pfn = (rng() % 3) * 5000 + 1000 + rng() % 600;
    FrameRef* f = refs.find(pfn);
    auto it = ref.find(pfn);
    REQUIRE((f != nullptr) == (it != ref.end()));
    if (!f) {
      FrameRef& added = refs.add(pfn);
      CHECK((added.mapcount == 0 && added.pincount == 0));
      added.mapcount = 1;
      ref[pfn] = {1, 0};
      continue;
    }
    REQUIRE(f->mapcount == it->second.first);
    REQUIRE(f->pincount == it->second.second);
    switch (rng() % 3) {
      case 0:
        ++f->pincount, ++it->second.second;
        break;
      case 1:
        if (f->pincount) --f->pincount, --it->second.second;
        break;
      default:
        refs.erase(pfn), ref.erase(it);
    }
  }
  std::map<uint64_t, std::pair<uint32_t, uint32_t>> walked;
  refs.for_each([&](uint64_t pfn, const FrameRef& f) {
    CHECK(walked.emplace(pfn, std::pair(f.mapcount, f.pincount)).second);
  });
  CHECK(walked == ref);
}

TEST_CASE("tracking a frame twice, or dropping one not tracked, is a logic error") {
  FrameRefs refs;
  refs.add(512);
  CHECK_THROWS_AS(refs.add(512), std::logic_error);
  CHECK_THROWS_AS(refs.erase(513), std::logic_error);
  refs.erase(512);
  CHECK(refs.find(512) == nullptr);
  CHECK_THROWS_AS(refs.erase(512), std::logic_error);
}
