// SPDX-License-Identifier: GPL-2.0-only
// Windows merged into runs per device and kind while they overlap in time.
#include "report/window_runs.h"

#include <catch2/catch.hpp>

using iocsim::analysis::HazardKind;
using iocsim::analysis::Window;
using iocsim::report::window_runs;

namespace {
Window window(uint32_t stream, HazardKind kind, uint64_t pa, uint64_t start, uint64_t end) {
  Window w;
  w.stream_id = stream;
  w.kind = kind;
  w.pa = pa;
  w.size = 4096;
  w.start = start;
  w.end = end;
  w.owner = 1;
  return w;
}
}  // namespace

TEST_CASE("overlapping windows of one device and kind form one run") {
  std::vector<Window> ws{window(1, HazardKind::leak, 0x2000, 100, 300),
                         window(1, HazardKind::leak, 0x1000, 0, 150),
                         window(1, HazardKind::leak, 0x3000, 300, 400),  // touches the run's end
                         window(1, HazardKind::leak, 0x9000, 500, 600)};
  ws[0].realized_windows = 1;
  ws[0].first_hit = 250;
  ws[0].hits = 3;
  ws[2].realized_windows = 1;
  ws[2].first_hit = 320;
  ws[2].hits = 1;
  ws[2].owner = 2;
  const auto runs = window_runs(ws);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].start == 0);
  CHECK(runs[0].end == 400);
  CHECK(runs[0].windows == 3);
  CHECK(runs[0].lines == 3 * 64);
  CHECK(runs[0].realized == 2);
  CHECK(runs[0].hits == 4);
  CHECK(runs[0].first_hit == 250u);
  CHECK(runs[0].lowest_pa == 0x1000);
  CHECK(runs[0].highest_pa == 0x3fc0);
  CHECK(runs[0].owners == std::set<iocsim::OwnerId>{1, 2});
  CHECK(runs[1].start == 500);
  CHECK_FALSE(runs[1].first_hit);
}

TEST_CASE("other devices and kinds run apart, ordered by device then kind") {
  const auto runs = window_runs({window(2, HazardKind::leak, 0x1000, 0, 100),
                                 window(1, HazardKind::leak, 0x1000, 0, 100),
                                 window(1, HazardKind::stale_device_read, 0x1000, 50, 100)});
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].stream_id == 1);
  CHECK(runs[0].kind == HazardKind::stale_device_read);
  CHECK(runs[1].stream_id == 1);
  CHECK(runs[1].kind == HazardKind::leak);
  CHECK(runs[2].stream_id == 2);
}

TEST_CASE("open counts: openings first at one time, so a zero-length window counts once") {
  const std::vector<Window> ws{window(1, HazardKind::leak, 0x1000, 100, 300),
                               window(1, HazardKind::leak, 0x2000, 300, 400),
                               window(1, HazardKind::leak, 0x3000, 500, 500)};
  const std::vector<const Window*> all{&ws[0], &ws[1], &ws[2]};
  const std::vector<std::pair<uint64_t, uint64_t>> expected{
      {100, 1}, {300, 2}, {300, 1}, {400, 0}, {500, 1}, {500, 0}};
  CHECK(iocsim::report::open_counts(all) == expected);
}
