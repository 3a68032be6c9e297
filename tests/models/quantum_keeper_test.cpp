// SPDX-License-Identifier: GPL-2.0-only
// iocsim's quantum keeper decides as tlm_quantumkeeper does.
#include <catch2/catch.hpp>

#include "bench.h"
#include "models/common/quantum_keeper.h"

using iocsim::models::QuantumKeeper;
using iocsim::test::run_bench;

TEST_CASE("the quantum keeper needs a sync exactly when tlm_quantumkeeper would") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  run_bench([] {
    QuantumKeeper keeper;
    const tlm_utils::tlm_quantumkeeper& base = keeper;
    unsigned syncs = 0;
    // Local time grows in 300 ns steps across several quanta, from a global
    // time that is not a quantum boundary; some steps land exactly on one.
    sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
    keeper.reset();
    for (int step = 0; step < 20; ++step) {
      keeper.inc(sc_core::sc_time(300, sc_core::SC_NS));
      const bool needed = keeper.need_sync();
      CHECK(needed == base.tlm_utils::tlm_quantumkeeper::need_sync());
      if (needed) {
        keeper.sync();
        ++syncs;
      }
    }
    CHECK(syncs == 6);  // 6,000 ns of local time, a sync at each 1 us boundary passed
    CHECK(sc_core::sc_time_stamp() == sc_core::sc_time(100 + 6'000, sc_core::SC_NS));
  });
}

TEST_CASE("passing a sync point leaves the keeper where a sync would") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  run_bench([] {
    QuantumKeeper keeper;
    sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
    keeper.reset();
    // Local times short of, on and past quantum boundaries.
    for (int ns : {300, 900, 1'000, 2'400, 3'000}) {
      keeper.inc(sc_core::sc_time(ns, sc_core::SC_NS));
      keeper.pass_sync_point();
      const iocsim::Picos passed = keeper.next_sync();
      keeper.sync();
      CHECK(keeper.next_sync() == passed);
    }
  });
}
