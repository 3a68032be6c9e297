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
  if (to == kNone) index.erase(it);
  else it->second = to;
}

void MergedWindows::remove(size_t i) {
  repoint(by_start_, start_of(runs_[i]), i, kNone);
  repoint(by_end_, end_of(runs_[i]), i, kNone);
  const size_t last = runs_.size() - 1;
  if (i != last) {
    runs_[i] = runs_[last];
    repoint(by_start_, start_of(runs_[i]), last, i);
    repoint(by_end_, end_of(runs_[i]), last, i);
    if (growing_ == last) growing_ = i;
  }
  runs_.pop_back();
}

void MergedWindows::join_next(size_t run, const Window& w) {
  auto after = by_start_.find(end_of(w));
  if (after == by_start_.end() || !continues(w, runs_[after->second])) return;
  // `w` fills the gap between `run` and the run after it, which overlaps
  // `w` in time, so the grown run too.
  const size_t next = after->second;
  absorb(runs_[run], runs_[next]);
  remove(next);
}

void MergedWindows::set_growing(size_t run) {
  if (growing_ != kNone && growing_ != run) by_end_[end_of(runs_[growing_])] = growing_;
  growing_ = run;
  repoint(by_end_, end_of(runs_[run]), run, kNone);
}

void MergedWindows::add(const Window& w) {
  if (growing_ != kNone && end_of(runs_[growing_]) == start_of(w) &&
      continues(runs_[growing_], w)) {
    absorb(runs_[growing_], w);
    join_next(growing_, w);
    return;
  }
  auto before = by_end_.find(start_of(w));
  if (before != by_end_.end() && continues(runs_[before->second], w)) {
    const size_t run = before->second;
    by_end_.erase(before);
    absorb(runs_[run], w);
    set_growing(run);
    join_next(growing_, w);
    return;
  }
  auto after = by_start_.find(end_of(w));
  if (after != by_start_.end() && continues(w, runs_[after->second])) {
    const size_t run = after->second;
    by_start_.erase(after);
    absorb(runs_[run], w);
    by_start_[start_of(runs_[run])] = run;
    set_growing(run);
    return;
  }
  runs_.push_back(w);
  by_start_[start_of(w)] = runs_.size() - 1;
  set_growing(runs_.size() - 1);
}

void MergedWindows::finish() {
  growing_ = kNone;
  by_start_ = {};
  by_end_ = {};
  std::sort(runs_.begin(), runs_.end(), [](const Window& a, const Window& b) {
    return std::tie(a.start, a.kind, a.stream_id, a.pa, a.end) <
           std::tie(b.start, b.kind, b.stream_id, b.pa, b.end);
  });
}

}  // namespace iocsim::analysis
