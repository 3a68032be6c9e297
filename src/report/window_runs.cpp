// SPDX-License-Identifier: GPL-2.0-only
#include "report/window_runs.h"

#include <algorithm>
#include <tuple>

namespace iocsim::report {

std::vector<WindowRun> window_runs(const std::vector<analysis::Window>& windows) {
  std::vector<const analysis::Window*> sorted;
  sorted.reserve(windows.size());
  for (const analysis::Window& w : windows) sorted.push_back(&w);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::tie(a->stream_id, a->kind, a->start) < std::tie(b->stream_id, b->kind, b->start);
  });
  std::vector<WindowRun> runs;
  for (const analysis::Window* w : sorted) {
    const bool joins = !runs.empty() && runs.back().stream_id == w->stream_id &&
                       runs.back().kind == w->kind && w->start <= runs.back().end;
    if (!joins) {
      WindowRun run;
      run.stream_id = w->stream_id;
      run.kind = w->kind;
      run.start = w->start;
      run.end = w->end;
      run.lowest_pa = w->pa;
      run.highest_pa = w->pa + w->size - kLineBytes;
      runs.push_back(run);
    }
    WindowRun& run = runs.back();
    run.end = std::max(run.end, w->end);
    run.windows += w->windows;
    run.lines += w->size / kLineBytes;
    run.lowest_pa = std::min(run.lowest_pa, w->pa);
    run.highest_pa = std::max(run.highest_pa, w->pa + w->size - kLineBytes);
    run.owners.insert(w->owner);
    run.open_at_end = run.open_at_end || w->open_at_end;
    if (w->realized()) {
      run.realized += w->realized_windows;
      run.hits += w->hits;
      if (!run.first_hit || w->first_hit < *run.first_hit) run.first_hit = w->first_hit;
    }
  }
  return runs;
}

std::vector<std::pair<Picos, uint64_t>> open_counts(
    const std::vector<const analysis::Window*>& windows) {
  std::vector<std::pair<Picos, int>> changes;
  changes.reserve(2 * windows.size());
  for (const analysis::Window* w : windows) {
    changes.emplace_back(w->start, +1);
    changes.emplace_back(w->end, -1);
  }
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  std::vector<std::pair<Picos, uint64_t>> counts;
  counts.reserve(changes.size());
  uint64_t open = 0;
  for (const auto& [at, delta] : changes) counts.emplace_back(at, open += delta);
  return counts;
}

}  // namespace iocsim::report
