// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/merged_windows.h"

#include <algorithm>
#include <tuple>

#include <boost/container_hash/hash.hpp>

namespace iocsim::analysis {

size_t MergedWindows::EdgeHash::operator()(const Edge& e) const {
  size_t seed = 0;
  boost::hash_combine(seed, e.pa);
  boost::hash_combine(seed, e.stream);
  boost::hash_combine(seed, e.owner);
  boost::hash_combine(seed, static_cast<uint8_t>(e.kind));
  boost::hash_combine(seed, e.open_at_end);
  return seed;
}

bool MergedWindows::continues(const Window& run, const Window& next) {
  return run.iova + run.size == next.iova && next.start <= run.end && run.start <= next.end;
}

void MergedWindows::absorb(Window& run, const Window& w) {
  if (w.pa < run.pa) {
    run.pa = w.pa;
    run.iova = w.iova;
  }
  run.size += w.size;
  run.start = std::min(run.start, w.start);
  run.end = std::max(run.end, w.end);
  run.longest = std::max(run.longest, w.longest);
  if (w.realized() && (!run.realized() || w.quickest_hit < run.quickest_hit))
    run.quickest_hit = w.quickest_hit;
  if (w.hits && (!run.hits || w.first_hit < run.first_hit)) run.first_hit = w.first_hit;
  run.windows += w.windows;
  run.realized_windows += w.realized_windows;
  run.hits += w.hits;
}

void MergedWindows::repoint(Index& index, const Edge& edge, size_t from, size_t to) {
  auto it = index.find(edge);
  if (it == index.end() || it->second != from) return;
  if (to == static_cast<size_t>(-1)) index.erase(it);
  else it->second = to;
}

void MergedWindows::remove(size_t i) {
  constexpr size_t kGone = static_cast<size_t>(-1);
  repoint(by_start_, start_of(runs_[i]), i, kGone);
  repoint(by_end_, end_of(runs_[i]), i, kGone);
  const size_t last = runs_.size() - 1;
  if (i != last) {
    runs_[i] = runs_[last];
    repoint(by_start_, start_of(runs_[i]), last, i);
    repoint(by_end_, end_of(runs_[i]), last, i);
  }
  runs_.pop_back();
}

void MergedWindows::add(const Window& w) {
  longest_ = std::max(longest_, w.longest);
  auto before = by_end_.find(start_of(w));
  auto after = by_start_.find(end_of(w));
  const bool extends = before != by_end_.end() && continues(runs_[before->second], w);
  const bool precedes = after != by_start_.end() && continues(w, runs_[after->second]);
  if (extends) {
    // The run before grows by `w` and, if `w` fills the gap between it and
    // the run after, by that run too (which overlaps `w` in time, so the
    // grown run as well).
    const size_t run = before->second;
    by_end_.erase(before);
    absorb(runs_[run], w);
    if (precedes) {
      const size_t next = after->second;
      absorb(runs_[run], runs_[next]);
      by_end_[end_of(runs_[run])] = run;  // where `next` ended: remove() leaves it
      remove(next);
    } else {
      by_end_[end_of(runs_[run])] = run;
    }
    return;
  }
  if (precedes) {
    const size_t run = after->second;
    by_start_.erase(after);
    absorb(runs_[run], w);
    by_start_[start_of(runs_[run])] = run;
    return;
  }
  runs_.push_back(w);
  by_start_[start_of(w)] = runs_.size() - 1;
  by_end_[end_of(w)] = runs_.size() - 1;
}

void MergedWindows::finish() {
  by_start_ = {};
  by_end_ = {};
  std::sort(runs_.begin(), runs_.end(), [](const Window& a, const Window& b) {
    return std::tie(a.start, a.kind, a.stream_id, a.pa, a.end) <
           std::tie(b.start, b.kind, b.stream_id, b.pa, b.end);
  });
}

}  // namespace iocsim::analysis
