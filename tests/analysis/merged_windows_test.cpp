// SPDX-License-Identifier: GPL-2.0-only
// Exposure windows merged into runs of adjacent lines that overlap in time,
// whatever order they close in.
#include "analysis/merged_windows.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

using iocsim::Picos;
using iocsim::analysis::HazardKind;
using iocsim::analysis::MergedWindows;
using iocsim::analysis::Window;

namespace {

constexpr uint64_t kBase = 0x100000;

// Line `line`'s window over [start, end), hit first at `hit` if not 0.
Window line_window(uint64_t line, Picos start, Picos end, Picos hit = 0) {
  Window w;
  w.kind = HazardKind::leak;
  w.pa = kBase + line * 64;
  w.size = 64;
  w.iova = line * 64;
  w.stream_id = 1;
  w.owner = 2;
  w.start = start;
  w.end = end;
  w.longest = end - start;
  if (hit) {
    w.realized_windows = 1;
    w.hits = 1;
    w.first_hit = hit;
    w.quickest_hit = hit - start;
  }
  return w;
}

}  // namespace

TEST_CASE("windows of adjacent lines that overlap in time make one run") {
  MergedWindows m;
  m.add(line_window(0, 100, 200));
  m.add(line_window(1, 110, 300, 150));
  m.add(line_window(2, 90, 210, 200));
  REQUIRE(m.runs().size() == 1);
  const Window& run = m.runs()[0];
  CHECK(run.pa == kBase);
  CHECK(run.iova == 0);
  CHECK(run.size == 3 * 64);
  CHECK(run.start == 90);
  CHECK(run.end == 300);
  CHECK(run.longest == 190);
  CHECK(run.windows == 3);
  CHECK(run.realized_windows == 2);
  CHECK(run.hits == 2);
  CHECK(run.first_hit == 150);
  CHECK(run.quickest_hit == 40);
}

TEST_CASE("a window closing out of order joins the runs on both sides into one") {
  MergedWindows m;
  m.add(line_window(4, 0, 50));
  m.add(line_window(6, 0, 70));
  m.add(line_window(3, 0, 40));  // extends the first run downwards
  REQUIRE(m.runs().size() == 2);
  m.add(line_window(5, 0, 60));  // fills the gap between them
  REQUIRE(m.runs().size() == 1);
  CHECK(m.runs()[0].pa == kBase + 3 * 64);
  CHECK(m.runs()[0].iova == 3 * 64);
  CHECK(m.runs()[0].size == 4 * 64);
  CHECK(m.runs()[0].windows == 4);
}

TEST_CASE("windows apart in time, PA or IOVA, or of another kind, device or owner stay apart") {
  auto runs_of = [](Window a, Window b) {
    MergedWindows m;
    m.add(a);
    m.add(b);
    return m.runs().size();
  };
  const Window first = line_window(0, 100, 200);
  CHECK(runs_of(first, line_window(1, 200, 300)) == 1);  // touching in time is overlapping
  CHECK(runs_of(first, line_window(1, 201, 300)) == 2);
  CHECK(runs_of(first, line_window(2, 100, 200)) == 2);
  Window moved = line_window(1, 100, 200);
  moved.iova += 4096;
  CHECK(runs_of(first, moved) == 2);
  Window other = line_window(1, 100, 200);
  other.kind = HazardKind::stale_device_read;
  CHECK(runs_of(first, other) == 2);
  other = line_window(1, 100, 200);
  other.stream_id = 2;
  CHECK(runs_of(first, other) == 2);
  other = line_window(1, 100, 200);
  other.owner = 3;
  CHECK(runs_of(first, other) == 2);
  other = line_window(1, 100, 200);
  other.open_at_end = true;
  CHECK(runs_of(first, other) == 2);
}

TEST_CASE("a line exposed twice keeps both windows, each in a run of its own time") {
  MergedWindows m;
  m.add(line_window(0, 0, 10));
  m.add(line_window(1, 0, 10));
  m.add(line_window(0, 50, 60));
  m.add(line_window(1, 50, 60));
  m.finish();
  REQUIRE(m.runs().size() == 2);
  CHECK(m.runs()[0].start == 0);
  CHECK(m.runs()[0].size == 128);
  CHECK(m.runs()[1].start == 50);
  CHECK(m.runs()[1].size == 128);
}

TEST_CASE("runs of windows closed in any order hold every window once, and none could merge") {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    std::mt19937_64 rng(seed);
    // Blocks of consecutive lines; a block's windows open together and
    // close a line at a time, in an order with some lines swapped, as a
    // device with requests in flight completes them.
    std::vector<Window> windows;
    uint64_t line = 0;
    Picos t = 0;
    for (int block = 0; block < 8; ++block) {
      line += rng() % 3;  // maybe a gap
      if (rng() % 3 == 0) t += 1000;  // maybe apart in time
      const uint64_t lines = 1 + rng() % 40;
      for (uint64_t i = 0; i < lines; ++i) {
        const Picos end = t + 10 + i * 5;
        windows.push_back(line_window(line + i, t, end, rng() % 4 ? 0 : t + 1 + rng() % 9));
      }
      line += lines;
    }
    for (size_t i = 0; i + 1 < windows.size(); ++i) {
      const size_t reach = std::min<size_t>(4, windows.size() - i - 1);
      if (rng() % 3 == 0) std::swap(windows[i], windows[i + 1 + rng() % reach]);
    }
    MergedWindows m;
    for (const Window& w : windows) m.add(w);
    m.finish();
    const std::vector<Window>& runs = m.runs();
    uint64_t held = 0, realized = 0, bytes = 0;
    Picos longest = 0, longest_held = 0;
    for (const Window& r : runs) {
      held += r.windows;
      realized += r.realized_windows;
      bytes += r.size;
      longest = std::max(longest, r.longest);
    }
    CHECK(held == windows.size());
    CHECK(bytes == 64 * windows.size());
    const auto hit = std::count_if(windows.begin(), windows.end(),
                                   [](const Window& w) { return w.realized(); });
    CHECK(realized == static_cast<uint64_t>(hit));
    for (const Window& w : windows) longest_held = std::max(longest_held, w.longest);
    CHECK(longest == longest_held);
    // Each window lies in one run, inside its lines and its time.
    for (const Window& w : windows) {
      const auto holders = std::count_if(runs.begin(), runs.end(), [&](const Window& r) {
        return r.pa <= w.pa && w.pa < r.pa + r.size && r.start <= w.start && w.end <= r.end;
      });
      CHECK(holders == 1);
    }
    // No two runs could merge: adjacent runs do not overlap in time.
    for (const Window& a : runs)
      for (const Window& b : runs)
        CHECK_FALSE((a.pa + a.size == b.pa && b.start <= a.end && a.start <= b.end));
    CHECK(std::is_sorted(runs.begin(), runs.end(),
                         [](const Window& a, const Window& b) { return a.start < b.start; }));
  }
}
