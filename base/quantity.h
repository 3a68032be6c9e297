// SPDX-License-Identifier: GPL-2.0-only
// What a reported number measures, which decides the units it is written
// and compared in: a count, bytes, or a time (in picoseconds).
#pragma once

#include <cstdint>

namespace iocsim {

enum class Quantity : uint8_t { count, bytes, picos };

}  // namespace iocsim
