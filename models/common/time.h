// SPDX-License-Identifier: GPL-2.0-only
// Conversions between sc_time and picoseconds. iocsim keeps SystemC's default
// time resolution of 1 ps, so an sc_time's raw value is already picoseconds
// and these conversions are exact.
#pragma once

#include <systemc>

#include "models/common/picos.h"

namespace iocsim::models {

inline Picos to_picos(const sc_core::sc_time& t) { return t.value(); }

inline sc_core::sc_time from_picos(Picos ps) { return sc_core::sc_time::from_value(ps); }

}  // namespace iocsim::models
