// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/load_overlap.h"

#include <algorithm>
#include <functional>

namespace iocsim::models {

Picos MissSlots::claim(Picos t) {
  if (slots_ == 0) return t;
  auto later = std::greater<Picos>();
  // Requests complete in any order; those done by `t` free their slots.
  while (!completions_.empty() && completions_.front() <= t) {
    std::pop_heap(completions_.begin(), completions_.end(), later);
    completions_.pop_back();
  }
  if (completions_.size() < slots_) return t;
  std::pop_heap(completions_.begin(), completions_.end(), later);
  const Picos freed = completions_.back();
  completions_.pop_back();
  return freed;
}

void MissSlots::hold(Picos completes) {
  if (slots_ == 0) return;
  completions_.push_back(completes);
  std::push_heap(completions_.begin(), completions_.end(), std::greater<Picos>());
}

void StreamPrefetcher::request(uint64_t line, std::vector<uint64_t>& out) {
  if (distance_ == 0) return;
  const uint64_t page = line / kLinesPerPage;
  auto it = std::find_if(table_.begin(), table_.end(),
                         [&](const Stream& s) { return s.page == page; });
  if (it == table_.end()) {
    if (table_.size() == streams_) table_.pop_back();  // the least recently requested
    table_.insert(table_.begin(), Stream{page, line, 0, line});
    return;
  }
  std::rotate(table_.begin(), it, it + 1);
  Stream& s = table_.front();
  const int step = line > s.last ? 1 : line < s.last ? -1 : 0;
  const uint64_t gap = line > s.last ? line - s.last : s.last - line;
  // Along the stream: the next line, or one the stream already prefetched.
  const bool along = step != 0 && (s.direction == 0 ? gap == 1 : step == s.direction &&
                                                                     gap <= distance_);
  if (!along) {
    s = Stream{page, line, 0, line};
    return;
  }
  s.direction = step;
  s.last = line;
  const uint64_t first = page * kLinesPerPage, end = first + kLinesPerPage;
  if (step > 0) {
    const uint64_t target = std::min(end - 1, line + distance_);
    for (uint64_t l = std::max(s.ahead, line) + 1; l <= target; ++l) out.push_back(l);
    s.ahead = std::max(s.ahead, target);
  } else {
    const uint64_t target = line - std::min(line - first, distance_);
    const uint64_t from = std::min(s.ahead, line);
    for (uint64_t l = from; l-- > target;) out.push_back(l);
    s.ahead = std::min(s.ahead, target);
  }
}

}  // namespace iocsim::models
