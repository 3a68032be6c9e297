// SPDX-License-Identifier: GPL-2.0-only
// Conversions between sc_time and picoseconds. iocsim keeps SystemC's default
// time resolution of 1 ps, so an sc_time's raw value is already picoseconds
// and these conversions are exact.
#pragma once

#include <type_traits>

#include <systemc>

#include "base/picos.h"

namespace iocsim::models {

inline Picos to_picos(const sc_core::sc_time& t) { return t.value(); }

// sc_time::from_value without its library call (the DMA path converts
// several times per request, and the call was a tenth of its cost). sc_time
// is a standard-layout class whose one member is its raw value, so the object
// and that member are pointer-interconvertible ([basic.compound]).
static_assert(std::is_standard_layout_v<sc_core::sc_time> &&
              sizeof(sc_core::sc_time) == sizeof(sc_core::sc_time::value_type));
inline sc_core::sc_time from_picos(Picos ps) {
  sc_core::sc_time t;
  *reinterpret_cast<sc_core::sc_time::value_type*>(&t) = ps;
  return t;
}

// Global simulated time in picoseconds: sc_time_stamp() without a library
// call per request. sc_time_stamp() returns a reference to the simulation
// context's clock, which lives as long as the process's one simulation.
inline Picos global_picos() {
  static const sc_core::sc_time& clock = sc_core::sc_time_stamp();
  return clock.value();
}

}  // namespace iocsim::models
