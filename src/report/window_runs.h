// SPDX-License-Identifier: GPL-2.0-only
// Exposure windows drawn over time: the windows of one device and kind that
// overlap in time merged into runs, so a 2 MiB device write that opens a
// window per page is one run on one track, not thousands of tracks.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "analysis/hazards.h"

namespace iocsim::report {

struct WindowRun {
  uint32_t stream_id = 0;
  analysis::HazardKind kind = analysis::HazardKind::stale_device_read;
  Picos start = 0, end = 0;
  uint64_t windows = 0, lines = 0;
  uint64_t realized = 0, hits = 0;    // windows an access hit, and their hits
  std::optional<Picos> first_hit;     // the earliest hit of any of its windows
  uint64_t lowest_pa = 0, highest_pa = 0;  // of its windows' lines
  std::set<OwnerId> owners;
  bool open_at_end = false;  // a window of it was still open when the run ended
};

// Runs by device (stream id), then kind, then start; the runs of one device
// and kind never overlap in time.
std::vector<WindowRun> window_runs(const std::vector<analysis::Window>& windows);

// How many of `windows` (report entries: runs of windows, analysis/
// hazards.h) are open from each time one opens or closes on:
// (time, count) in time order. At one time the openings come first, so a
// window that opens and closes at once (a zero-length one) counts as open
// for that instant and a count never goes below zero.
std::vector<std::pair<Picos, uint64_t>> open_counts(
    const std::vector<const analysis::Window*>& windows);

}  // namespace iocsim::report
