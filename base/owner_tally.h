// SPDX-License-Identifier: GPL-2.0-only
// Whose data a read returned, counted per owner: what `sees` expectations
// need, in memory that does not grow with the size of the read.
#pragma once

#include <cstdint>
#include <map>

#include "base/line_value.h"

namespace iocsim {

class OwnerTally {
 public:
  uint64_t lines = 0;

  // Consecutive lines mostly have one owner: they are counted in a run and
  // reach the map when the owner changes or the counts are read.
  void add(const LineValue& value, uint64_t count = 1) {
    lines += count;
    if (run_ && value.owner == run_owner_) {
      run_ += count;
      return;
    }
    flush();
    run_owner_ = value.owner;
    run_ = count;
  }
  const std::map<OwnerId, uint64_t>& by_owner() const {
    flush();
    return by_owner_;
  }

 private:
  void flush() const {
    if (run_ == 0) return;
    by_owner_[run_owner_] += run_;
    run_ = 0;
  }

  mutable std::map<OwnerId, uint64_t> by_owner_;
  mutable OwnerId run_owner_ = kNobody;
  mutable uint64_t run_ = 0;
};

}  // namespace iocsim
