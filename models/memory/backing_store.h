// SPDX-License-Identifier: GPL-2.0-only
// Sparse physical memory contents: the value of every line written, kept as
// PagedLines, so memory costs nothing until written, and a range written with
// one value (a zeroed folio, written back line after line) ends up one value
// per 2 MiB block. A line never written reads as LineValue{}, version 0:
// whatever memory held before the simulation began.
#pragma once

#include <cstdint>

#include "models/common/line_token.h"
#include "base/paged_lines.h"

namespace iocsim::models {

class BackingStore {
 public:
  LineValue read(uint64_t pa) const { return lines_.get(pa); }
  void write(uint64_t pa, const LineValue& value) { lines_.set(pa, value); }
  // write() of `value` to each of `lines` lines from `pa`.
  void fill(uint64_t pa, uint64_t lines, const LineValue& value) {
    lines_.set_range(pa, lines, value);
  }
  // Pages with a line holding a written value. Writes carry versions from a
  // VersionClock, which starts at 1, so only what memory held before the
  // simulation reads as version 0.
  uint64_t pages_touched() const { return lines_.pages_set(); }
  // How the contents are kept (for tests and memory accounting).
  const PagedLines<LineValue>& lines() const { return lines_; }

 private:
  PagedLines<LineValue> lines_;
};

}  // namespace iocsim::models
