// SPDX-License-Identifier: GPL-2.0-only
// Whose data a read returned, counted per owner: what `sees` expectations
// need, in memory that does not grow with the size of the read.
#pragma once

#include <cstdint>
#include <map>

#include "models/common/line_value.h"

namespace iocsim::models {

struct OwnerTally {
  uint64_t lines = 0;
  std::map<OwnerId, uint64_t> by_owner;

  void add(const LineValue& value) {
    ++lines;
    ++by_owner[value.owner];
  }
};

}  // namespace iocsim::models
