// SPDX-License-Identifier: GPL-2.0-only
// Simulated time as integer picoseconds (iocsim runs SystemC at 1 ps resolution).
#pragma once

#include <cstdint>

namespace iocsim {

using Picos = uint64_t;

inline constexpr Picos kPicosPerNs = 1000;

inline double picos_to_ns(Picos ps) { return static_cast<double>(ps) / 1000.0; }

}  // namespace iocsim
