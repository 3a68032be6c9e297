// SPDX-License-Identifier: GPL-2.0-only
// Device bursts and fault bursts from hand-built request sequences.
#include "analysis/timeline.h"

#include <catch2/catch.hpp>

using iocsim::analysis::Timeline;
using iocsim::models::DeviceRequest;

namespace {
DeviceRequest request(uint32_t stream, uint32_t engine, bool write, uint64_t start, uint64_t end) {
  DeviceRequest r;
  r.stream_id = stream;
  r.engine = engine;
  r.write = write;
  r.bytes = 64;
  r.start = start;
  r.end = end;
  return r;
}
}  // namespace

TEST_CASE("back-to-back requests of one engine form one burst") {
  Timeline t;
  t.device_request(request(1, 0, false, 0, 100));
  t.device_request(request(1, 0, false, 100, 200));
  t.device_request(request(1, 0, false, 200, 300));
  REQUIRE(t.bursts().size() == 1);
  CHECK(t.bursts()[0].start == 0);
  CHECK(t.bursts()[0].end == 300);
  CHECK(t.bursts()[0].requests == 3);
  CHECK(t.bursts()[0].bytes == 192);
}

TEST_CASE("a gap, a change of direction or another engine starts a new burst") {
  Timeline t;
  t.device_request(request(1, 0, false, 0, 100));
  t.device_request(request(1, 0, false, 150, 250));  // idle 50 ps
  t.device_request(request(1, 0, true, 250, 350));   // now writing
  t.device_request(request(1, 1, true, 300, 400));   // actor engine, overlapping
  t.device_request(request(1, 0, true, 350, 450));   // continues the write burst
  REQUIRE(t.bursts().size() == 4);
  CHECK(t.bursts()[0].end == 100);
  CHECK(t.bursts()[1].start == 150);
  CHECK(t.bursts()[2].write);
  CHECK(t.bursts()[2].end == 450);
  CHECK(t.bursts()[2].requests == 2);
  CHECK(t.bursts()[3].engine == 1);
}

TEST_CASE("faulted requests form bursts of their own") {
  Timeline t;
  DeviceRequest faulted = request(1, 1, false, 0, 10);
  faulted.faulted = true;
  t.device_request(faulted);
  faulted.start = 10;
  faulted.end = 20;
  t.device_request(faulted);
  t.device_request(request(1, 1, false, 20, 120));
  REQUIRE(t.bursts().size() == 2);
  CHECK(t.bursts()[0].faulted == 2);
  CHECK(t.bursts()[0].end == 20);
  CHECK(t.bursts()[1].faulted == 0);
  CHECK(t.bursts()[1].start == 20);
}

TEST_CASE("faults closer than the gap merge, per device") {
  Timeline t(1000);
  t.translation_fault(1, 0x1000, false, 0);
  t.translation_fault(1, 0x2000, false, 1000);
  t.translation_fault(2, 0x3000, true, 1500);
  t.translation_fault(1, 0x4000, false, 2001);
  REQUIRE(t.faults().size() == 3);
  CHECK(t.faults()[0].count == 2);
  CHECK(t.faults()[0].first_iova == 0x1000);
  CHECK(t.faults()[0].last == 1000);
  CHECK(t.faults()[1].stream_id == 2);
  CHECK(t.faults()[2].first == 2001);
}
