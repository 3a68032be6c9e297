// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/store_stream.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {

void StoreStream::add_run(uint64_t core, uint64_t line, const LineValue& value) {
  if (!continues(core, line)) {
    end();
    core_ = core;
  }
  Run* last = runs_.empty() ? nullptr : &runs_.back();
  if (last && last->value == value && last->line + last->count == line) {
    ++last->count;
  } else {
    runs_.push_back({length_, line, 1, value});
  }
  ++length_;
  next_ = (line + 1) % period_;
  if (++kept_ > window_) take_oldest();
}

void StoreStream::end() {
  length_ = 0;
  kept_ = 0;
  runs_.clear();
}

std::pair<uint64_t, LineValue> StoreStream::take_oldest() {
  if (runs_.empty()) throw std::logic_error("store stream: no line to take");
  Run& oldest = runs_.front();
  const std::pair<uint64_t, LineValue> taken{oldest.line, oldest.value};
  ++oldest.first;
  ++oldest.line;
  if (--oldest.count == 0) runs_.pop_front();
  --kept_;
  return taken;
}

StoreStream::Lines StoreStream::take_oldest_lines(uint64_t most) {
  if (runs_.empty() || most == 0) throw std::logic_error("store stream: no line to take");
  Run& oldest = runs_.front();
  const uint64_t count = std::min(most, oldest.count);
  const Lines taken{oldest.line, count, oldest.value};
  oldest.first += count;
  oldest.line += count;
  kept_ -= count;
  if ((oldest.count -= count) == 0) runs_.pop_front();
  return taken;
}

void StoreStream::add_lines(uint64_t core, uint64_t line, uint64_t count,
                            const LineValue& value) {
  if (count == 0 || !continues(core, line) || kept_ + count > window_)
    throw std::logic_error("store stream: lines that do not continue the stream or fit it");
  if (!runs_.empty() && runs_.back().value == value &&
      runs_.back().line + runs_.back().count == line)
    runs_.back().count += count;
  else
    runs_.push_back({length_, line, count, value});
  length_ += count;
  kept_ += count;
  next_ = (line + count) % period_;
}

const StoreStream::Run& StoreStream::run_at(uint64_t index) const {
  if (index < length_ && last_run_ < runs_.size()) {
    const Run& last = runs_[last_run_];
    if (index >= last.first && index - last.first < last.count) return last;
  }
  // The run holding `index` is the last one that starts at or before it.
  auto it = std::upper_bound(runs_.begin(), runs_.end(), index,
                             [](uint64_t i, const Run& r) { return i < r.first; });
  if (it == runs_.begin() || index >= length_)
    throw std::logic_error("store stream: index outside the window");
  --it;
  last_run_ = static_cast<size_t>(it - runs_.begin());
  return *it;
}

uint64_t StoreStream::line_at(uint64_t index) const {
  const Run& r = run_at(index);
  return r.line + (index - r.first);
}

StoreStream::Snapshot StoreStream::snapshot() const {
  Snapshot s;
  s.ranges_.reserve(runs_.size());
  for (const Run& r : runs_) s.ranges_.push_back({r.line, r.count, r.first});
  std::sort(s.ranges_.begin(), s.ranges_.end(),
            [](const Snapshot::Range& a, const Snapshot::Range& b) { return a.line < b.line; });
  return s;
}

uint64_t StoreStream::Snapshot::index_of(uint64_t line) const {
  if (last_ < ranges_.size()) {
    const Range& last = ranges_[last_];
    if (line >= last.line && line - last.line < last.count) return last.first + (line - last.line);
  }
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), line,
                             [](uint64_t l, const Range& r) { return l < r.line; });
  if (it == ranges_.begin() || line - (it - 1)->line >= (it - 1)->count)
    throw std::logic_error("store stream: line not in the snapshot");
  --it;
  last_ = static_cast<size_t>(it - ranges_.begin());
  return it->first + (line - it->line);
}

}  // namespace iocsim::models
