// SPDX-License-Identifier: GPL-2.0-only
// What the oracle knows of every line it has seen: the newest value ever
// written and the value DRAM holds, kept as PagedLines. Lines never seen read
// as the default state (nothing written, DRAM holding nothing).
#pragma once

#include "base/line_value.h"
#include "base/paged_lines.h"

namespace iocsim::analysis {

struct LineState {
  LineValue newest;
  LineValue memory;

  bool operator==(const LineState& o) const { return newest == o.newest && memory == o.memory; }
  bool operator!=(const LineState& o) const { return !(*this == o); }
};

using LineStates = PagedLines<LineState>;

}  // namespace iocsim::analysis
