// SPDX-License-Identifier: GPL-2.0-only
// What lets a core's loads overlap: the pools of misses in flight and the L2
// streamer's choice of lines (models/cache/load_overlap.h).
#include <catch2/catch.hpp>

#include <vector>

#include "models/cache/load_overlap.h"

using namespace iocsim;
using models::MissSlots;
using models::StreamPrefetcher;

TEST_CASE("a request that finds every slot taken waits for the earliest to complete") {
  MissSlots slots(2);
  CHECK(slots.claim(0) == 0);
  slots.hold(100);
  CHECK(slots.claim(10) == 10);
  slots.hold(50);
  // Both taken: the one completing at 50 frees first, whatever the order held.
  CHECK(slots.claim(20) == 50);
  slots.hold(150);
  // At 120 the request of 100 is done: a slot is free at once.
  CHECK(slots.claim(120) == 120);
  slots.hold(200);
  CHECK(slots.claim(130) == 150);
}

TEST_CASE("no slot limit never waits") {
  MissSlots slots(0);
  for (Picos t = 0; t < 100; ++t) {
    CHECK(slots.claim(t) == t);
    slots.hold(t + 1'000'000);
  }
}

namespace {
std::vector<uint64_t> request(StreamPrefetcher& p, uint64_t line) {
  std::vector<uint64_t> out;
  p.request(line, out);
  return out;
}
std::vector<uint64_t> range(uint64_t from, uint64_t to) {  // [from, to)
  std::vector<uint64_t> r;
  for (uint64_t l = from; l < to; ++l) r.push_back(l);
  return r;
}
}  // namespace

TEST_CASE("the streamer runs ahead of an ascending run of lines and stops at the page's end") {
  StreamPrefetcher p(20, 32);
  const uint64_t page = 7 * kLinesPerPage;
  CHECK(request(p, page).empty());  // one request sets no direction
  CHECK(request(p, page + 1) == range(page + 2, page + 22));
  CHECK(request(p, page + 2) == range(page + 22, page + 23));
  // A request of a line already prefetched keeps the stream going.
  CHECK(request(p, page + 10) == range(page + 23, page + 31));
  CHECK(request(p, page + 25) == range(page + 31, page + 46));
  CHECK(request(p, page + 45) == range(page + 46, page + 64));
  CHECK(request(p, page + 46).empty());  // nothing past the page
  // A jump beyond the distance breaks the run.
  CHECK(request(p, page + 2).empty());
}

TEST_CASE("the streamer follows a descending run too, and a break restarts the page's stream") {
  StreamPrefetcher p(4, 32);
  const uint64_t page = 3 * kLinesPerPage;
  CHECK(request(p, page + 40).empty());
  CHECK(request(p, page + 39) == std::vector<uint64_t>{page + 38, page + 37, page + 36,
                                                       page + 35});
  CHECK(request(p, page + 38) == std::vector<uint64_t>{page + 34});
  // Against the direction: the stream starts again from this line.
  CHECK(request(p, page + 60).empty());
  CHECK(request(p, page + 61) == range(page + 62, page + 64));
  // Near the page's start a descending stream stops at its first line.
  StreamPrefetcher q(4, 32);
  CHECK(request(q, page + 2).empty());
  CHECK(request(q, page + 1) == std::vector<uint64_t>{page});
}

TEST_CASE("the streamer forgets the least recently requested page beyond its streams") {
  StreamPrefetcher p(2, 2);
  const uint64_t a = 0, b = kLinesPerPage, c = 2 * kLinesPerPage;
  CHECK(request(p, a).empty());
  CHECK(request(p, b).empty());
  CHECK(request(p, c).empty());  // a's stream goes
  CHECK(request(p, a + 1).empty());  // a starts again: no direction yet
  CHECK(request(p, c + 1) == range(c + 2, c + 4));
  StreamPrefetcher off(0, 2);
  request(off, a);
  CHECK(request(off, a + 1).empty());
}
