// SPDX-License-Identifier: GPL-2.0-only
// The stream of stores the cache hierarchy is taking: consecutive stores by
// one core, each of a line no level held, each line one past the previous
// one modulo `period` (a multiple of every level's number of sets, so that
// each level takes the stream's lines one set after the next, as zeroing
// consecutive frames or 2 MiB folios does). It keeps the values of the last
// `window` lines stored: what the storing core's outermost level and the LLC
// hold once the stream has filled them (see Cache::store_stream).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "base/line_value.h"

namespace iocsim::models {

class StoreStream {
 public:
  StoreStream(uint64_t period, uint64_t window) : period_(period), window_(window) {}

  // Whether a store by `core` of a line no level held, `line`, continues the stream.
  bool continues(uint64_t core, uint64_t line) const {
    return length_ > 0 && core == core_ && line % period_ == next_;
  }
  // A store by `core` of a line no level held: continues the stream, or starts a new one.
  void add(uint64_t core, uint64_t line, const LineValue& value) {
    // Most stores extend the latest run (a page or folio zeroed at once);
    // inline, since every line of a stream comes here.
    if (continues(core, line) && kept_ < window_ && runs_.back().value == value &&
        runs_.back().line + runs_.back().count == line) {
      ++runs_.back().count;
      ++length_;
      ++kept_;
      next_ = (line + 1) % period_;
      return;
    }
    add_run(core, line, value);
  }
  // add() of each of `count` consecutive lines from `line`, all holding
  // `value`, which continue the stream and fit the window (its oldest lines
  // taken first).
  void add_lines(uint64_t core, uint64_t line, uint64_t count, const LineValue& value);
  // Something else reached the hierarchy: the stream, if any, is over.
  void end();
  // The stream's stores so far; the latest has index length() - 1.
  uint64_t length() const { return length_; }
  uint64_t core() const { return core_; }
  // Whether the stream has filled its window (every line in it is kept).
  bool full() const { return length_ >= window_; }
  uint64_t window() const { return window_; }
  // Removes the oldest line of a full window; returns its line and value.
  std::pair<uint64_t, LineValue> take_oldest();
  // take_oldest() up to `most` times while the lines it takes are
  // consecutive and hold one value: the first line, how many, the value.
  struct Lines {
    uint64_t line, count;
    LineValue value;
  };
  Lines take_oldest_lines(uint64_t most);
  // The line stored at `index` and its value; `index` within the window.
  uint64_t line_at(uint64_t index) const;
  const LineValue& value_at(uint64_t index) const { return run_at(index).value; }

  // Where the window's lines were, by line, as of one moment: the index each
  // line had then, looked up long after the lines have left the window.
  class Snapshot {
   public:
    uint64_t index_of(uint64_t line) const;
    // fn(line, count, first) for each range of lines [line, line + count)
    // that had indexes first... then.
    template <typename Fn>
    void for_each(Fn fn) const {
      for (const Range& r : ranges_) fn(r.line, r.count, r.first);
    }

   private:
    friend class StoreStream;
    struct Range {
      uint64_t line, count, first;  // lines [line, line + count) have indexes first...
    };
    std::vector<Range> ranges_;  // by line
    // Where the last lookup found its line, checked first: settling the
    // cache looks up one way position of every set after another, whose
    // lines mostly lie in one range.
    mutable size_t last_ = 0;
  };
  Snapshot snapshot() const;
  // fn(line, count) for the window's lines stored at index `from` or later,
  // consecutive lines at a time.
  template <typename Fn>
  void for_each_since(uint64_t from, Fn fn) const {
    for (const Run& r : runs_) {
      if (r.first + r.count <= from) continue;
      const uint64_t skip = from > r.first ? from - r.first : 0;
      fn(r.line + skip, r.count - skip);
    }
  }

 private:
  // Lines stored one after another with one value: indexes [first, first + count).
  struct Run {
    uint64_t first, line, count;
    LineValue value;
  };
  const Run& run_at(uint64_t index) const;
  // add(), when the line starts a run (or a stream), or the window is full.
  void add_run(uint64_t core, uint64_t line, const LineValue& value);

  uint64_t period_, window_;
  uint64_t core_ = 0;
  uint64_t next_ = 0;  // the next line, modulo the period
  uint64_t length_ = 0;
  uint64_t kept_ = 0;     // lines in runs_: the last min(length_, window_) stored
  std::deque<Run> runs_;  // oldest first
  // The position in runs_ of the run run_at() found last, checked first:
  // settling the cache looks up one way position of every set after
  // another, whose indexes mostly lie in one run. (Taking runs off the front
  // shifts positions; a stale position only misses.)
  mutable size_t last_run_ = 0;
};

}  // namespace iocsim::models
