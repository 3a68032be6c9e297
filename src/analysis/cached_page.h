// SPDX-License-Identifier: GPL-2.0-only
// What the oracle knows the CPU caches hold of one 4 KiB page: which lines
// they hold (and which dirty), and each copy's value. One value for the
// page while every copy holds it (a page zeroed, or written back, by one
// store: nearly every page); a value per line only while the copies differ.
// A page kept by line took a kilobyte, and most pages pass through the
// caches once, entered and dropped a run at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "base/line_value.h"

namespace iocsim::analysis {

class CachedPage {
 public:
  uint64_t present = 0, dirty = 0;  // one bit per line

  // The copy of line i (meaningful while it is present).
  const LineValue& value(uint64_t i) const { return lines_ ? (*lines_)[i] : whole_; }
  // Whether every present line holds one value (value(0), then).
  bool uniform() const { return !lines_; }
  // Whether every present line holds `v`.
  bool all(const LineValue& v) const { return !lines_ && whole_ == v; }
  // Gives the lines in `mask` the copy `v` (before `present` says they are held).
  void set(uint64_t mask, const LineValue& v) {
    if ((present & ~mask) == 0) {  // no other copy: one value for the page
      whole_ = v;  // (first: `v` may be one of the copies)
      lines_.reset();
      return;
    }
    if (!lines_) {
      if (whole_ == v) return;
      lines_ = std::make_unique<std::array<LineValue, kLinesPerPage>>();
      lines_->fill(whole_);
    }
    for (uint64_t bits = mask; bits; bits &= bits - 1) (*lines_)[__builtin_ctzll(bits)] = v;
  }

 private:
  LineValue whole_;
  std::unique_ptr<std::array<LineValue, kLinesPerPage>> lines_;
};

}  // namespace iocsim::analysis
