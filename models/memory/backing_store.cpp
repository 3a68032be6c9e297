// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/backing_store.h"

#include <algorithm>
#include <iterator>

namespace iocsim::models {

LineValue BackingStore::read(uint64_t pa) const {
  const uint64_t line = pa >> kLineShift;
  auto after = runs_.upper_bound(line);
  if (after == runs_.begin()) return LineValue{};
  const auto at = std::prev(after);
  return at->second.end > line ? at->second.value : LineValue{};
}

void BackingStore::write(uint64_t pa, const LineValue& value) {
  const uint64_t line = pa >> kLineShift;
  if (has_last_ && last_->second.value == value) {
    Run& run = last_->second;
    if (line >= last_->first && line < run.end) return;
    if (line == run.end && after_last_ > line + 1) {
      run.end = line + 1;
      return;
    }
  }
  auto after = runs_.upper_bound(line);  // the first run starting past `line`
  if (after != runs_.begin()) {
    const auto at = std::prev(after);
    if (at->second.end > line) {
      // `line` is inside a run: cut it out, keeping what is on either side.
      if (at->second.value == value) return;
      const Run rest = at->second;
      if (line + 1 < rest.end) after = runs_.emplace_hint(after, line + 1, rest);
      if (at->first == line) {
        if (has_last_ && last_ == at) has_last_ = false;
        runs_.erase(at);
      } else {
        at->second.end = line;
      }
    }
  }
  // No run holds `line` now: join the neighbours that hold the same value.
  const auto before = after == runs_.begin() ? runs_.end() : std::prev(after);
  const bool join_before =
      before != runs_.end() && before->second.end == line && before->second.value == value;
  const bool join_after =
      after != runs_.end() && after->first == line + 1 && after->second.value == value;
  if (join_after && has_last_ && last_ == after) has_last_ = false;
  if (join_before && join_after) {
    before->second.end = after->second.end;
    runs_.erase(after);
    last_ = before;
  } else if (join_before) {
    before->second.end = line + 1;
    last_ = before;
  } else if (join_after) {
    const Run joined{after->second.end, value};
    last_ = runs_.emplace_hint(runs_.erase(after), line, joined);
  } else {
    last_ = runs_.emplace_hint(after, line, Run{line + 1, value});
  }
  has_last_ = true;
  const auto next = std::next(last_);
  after_last_ = next == runs_.end() ? ~uint64_t{0} : next->first;
}

uint64_t BackingStore::pages_touched() const {
  uint64_t pages = 0, next_uncounted = 0;
  for (const auto& [first, run] : runs_) {
    const uint64_t first_page = std::max(first / kLinesPerPage, next_uncounted);
    const uint64_t last_page = (run.end - 1) / kLinesPerPage;
    if (last_page >= first_page) pages += last_page - first_page + 1;
    next_uncounted = last_page + 1;
  }
  return pages;
}

}  // namespace iocsim::models
