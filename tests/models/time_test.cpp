// SPDX-License-Identifier: GPL-2.0-only
// Picoseconds and sc_time: iocsim runs SystemC at 1 ps resolution.
#include <catch2/catch.hpp>

#include "models/common/time.h"

TEST_CASE("picoseconds and sc_time convert both ways exactly") {
  using iocsim::models::from_picos;
  using iocsim::models::global_picos;
  using iocsim::models::to_picos;
  for (iocsim::Picos ps : {0ull, 1ull, 333ull, 1'000'000'007ull, 1ull << 62, ~0ull}) {
    CHECK(from_picos(ps) == sc_core::sc_time::from_value(ps));
    CHECK(to_picos(from_picos(ps)) == ps);
  }
  CHECK(from_picos(2'500) == sc_core::sc_time(2.5, sc_core::SC_NS));
  CHECK(global_picos() == sc_core::sc_time_stamp().value());
}
