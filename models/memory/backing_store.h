// SPDX-License-Identifier: GPL-2.0-only
// Sparse physical memory contents: runs of consecutive lines that hold one
// value, keyed by their first line. A line never written reads as version 0
// (whatever memory held before the simulation began). Memory costs nothing
// until written, and a range written with one value (a zeroed or filled
// guest, written back line after line) stays one run however large it is.
#pragma once

#include <cstdint>
#include <map>

#include "models/common/line_value.h"

namespace iocsim::models {

class BackingStore {
 public:
  LineValue read(uint64_t pa) const;
  void write(uint64_t pa, const LineValue& value);
  // Pages with at least one line written; O(runs).
  uint64_t pages_touched() const;
  uint64_t runs() const { return runs_.size(); }

 private:
  struct Run {
    uint64_t end;  // one past the run's last line
    LineValue value;
  };
  using Runs = std::map<uint64_t, Run>;
  // By first line. Runs never overlap, and touching runs hold different values.
  Runs runs_;
  // The run the last write went into: write-backs of a range written with one
  // value come mostly in address order, and each then just extends it.
  // (Map iterators survive inserts, and a move of the map.)
  Runs::iterator last_;
  bool has_last_ = false;
  uint64_t after_last_ = 0;  // the first line of the run after last_ (or ~0)
};

}  // namespace iocsim::models
