// SPDX-License-Identifier: GPL-2.0-only
// The CPU caches' copies of lines a stream of stores put there (a guest
// being zeroed), as spans of consecutive lines of one value, oldest first.
// The oracle keeps them here instead of a CachedPage per page while only a
// stream's runs come, because each line enters the caches once and leaves
// with the oldest: a run of stores and of drops costs a span, not a lookup
// per page.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <stdexcept>

#include "base/line_value.h"

namespace iocsim::analysis {

class StreamedCopies {
 public:
  struct Span {
    uint64_t line = 0, count = 0;
    LineValue value;
    bool dirty = true;
  };

  bool empty() const { return spans_.empty(); }
  // The first line of the oldest span (only when not empty).
  uint64_t oldest_line() const { return spans_.front().line; }
  // Whether a line of [first, end) may be held (a bound, not an exact answer).
  bool may_hold(uint64_t first, uint64_t end) const {
    return !spans_.empty() && first < end && first < hi_ && end > lo_;
  }
  // Copies of `count` lines from `line`, dirty, holding `value`.
  void add(uint64_t line, uint64_t count, const LineValue& value) {
    if (spans_.empty()) {
      lo_ = line;
      hi_ = line + count;
    }
    lo_ = std::min(lo_, line);
    hi_ = std::max(hi_, line + count);
    Span* last = spans_.empty() ? nullptr : &spans_.back();
    if (last && last->dirty && last->value == value && last->line + last->count == line)
      last->count += count;
    else
      spans_.push_back({line, count, value, true});
  }
  // How many of the `most` lines from `line` the oldest spans hold, in
  // order from the oldest line (0 unless `line` is the oldest line).
  uint64_t leading(uint64_t line, uint64_t most) const {
    uint64_t n = 0;
    for (auto it = spans_.begin(); it != spans_.end() && n < most && it->line == line + n; ++it)
      n += std::min(it->count, most - n);
    return n;
  }
  // fn(span, lines) for the spans that the lines from the `skip`-th oldest
  // to the (skip + count)-th lie in, with how many of each.
  template <typename Fn>
  void each_leading(uint64_t skip, uint64_t count, Fn fn) const {
    for (auto it = spans_.begin(); count > 0; ++it) {
      if (skip >= it->count) {
        skip -= it->count;
        continue;
      }
      const uint64_t n = std::min(it->count - skip, count);
      fn(*it, n);
      count -= n;
      skip = 0;
    }
  }
  // Of those lines, the copies that hold `value` are clean.
  void clean_leading(uint64_t skip, uint64_t count, const LineValue& value) {
    if (count == 0) return;
    const size_t from = split_at(skip), to = split_at(skip + count);
    for (size_t i = from; i < to; ++i)
      if (spans_[i].value == value) spans_[i].dirty = false;
  }
  // The oldest `count` lines leave the caches.
  void drop_oldest(uint64_t count) {
    while (count > 0) {
      if (spans_.empty()) throw std::logic_error("streamed copies: no line to drop");
      Span& s = spans_.front();
      const uint64_t n = std::min(s.count, count);
      s.line += n;
      s.count -= n;
      count -= n;
      if (s.count == 0) spans_.pop_front();
    }
  }
  // fn(span) for every span, oldest first, then empties.
  template <typename Fn>
  void drain(Fn fn) {
    for (const Span& s : spans_) fn(s);
    spans_.clear();
  }

 private:
  // Makes the `offset`-th oldest line the first of a span (splitting the
  // one it lies in); returns that span's place, or the end.
  size_t split_at(uint64_t offset) {
    for (size_t i = 0; i < spans_.size(); ++i) {
      Span& s = spans_[i];
      if (offset >= s.count) {
        offset -= s.count;
        continue;
      }
      if (offset == 0) return i;
      Span tail = s;
      tail.line += offset;
      tail.count -= offset;
      s.count = offset;
      spans_.insert(spans_.begin() + static_cast<std::ptrdiff_t>(i + 1), tail);
      return i + 1;
    }
    return spans_.size();
  }

  std::deque<Span> spans_;
  uint64_t lo_ = 0, hi_ = 0;  // every held line lies in [lo_, hi_)
};

}  // namespace iocsim::analysis
