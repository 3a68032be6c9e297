// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::test;

TEST_CASE("a DMA master writes its owner's data through the IOMMU and reads it back") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  RecordingObserver seen;
  models::VersionClock versions;
  models::DomainIds ids;
  models::MemoryController memory("memory", flat_memory(1u << 24, 27'500, 1'250), &seen);
  models::Cache cache("llc", {1u << 16, 4, 14'000, 333, 167}, &seen);
  models::TablePlacement tables(1u << 20, 1u << 20);
  models::IommuUnit unit("unit", {"intel-vtd", false, 4096, 0, (1ull << 48) - 1, false}, ids,
                         tables, &seen);
  models::DmaMaster gpu("gpu", 3, 2, true, {128, 5'330}, versions, &seen);
  Initiator idle_cpu("cpu");
  idle_cpu.socket.bind(cache.cpu_side);
  cache.mem_side.bind(memory.socket);
  unit.coherent_side.bind(cache.snoop_side);
  unit.direct_side.bind(memory.socket);
  gpu.socket.bind(unit.device_side);
  run_bench([&] {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 3, 0);
    REQUIRE(unit.map_pages(d, 0x8000, 0x20000, 4096, 1, true, true, 0) == 0);

    const models::DmaResult w = gpu.write(0x8000, 256, true, 9);
    CHECK(w.faults == 0);
    CHECK(gpu.stats().requests == 2);  // 128-byte requests
    CHECK(memory.store().read(0x20040).owner == 2);
    CHECK(memory.store().read(0x20040).tag == 9);
    CHECK(seen.memory_writes.back().who == models::MemoryWriter::device);

    const models::DmaResult r = gpu.read(0x8000, 256, true);
    CHECK(r.lines == 4);
    CHECK(r.values.lines == 4);
    CHECK(r.values.by_owner().at(2) == 4);  // the device's owner wrote every line
    CHECK(r.last == w.last);
    CHECK(sc_core::sc_time_stamp() > sc_core::SC_ZERO_TIME);  // time passed

    // With its No-Snoop enable cleared, a device that honours it snoops.
    gpu.set_nosnoop_enable(false, models::global_picos());
    gpu.read(0x8000, 64, true);
    CHECK(unit.stats().lines_snooped == 1);

    const models::DmaResult fault = gpu.read(0x9000, 64, true);
    CHECK(fault.faults == 1);
    CHECK(fault.lines == 1);
    CHECK(fault.values.lines == 0);  // a faulted line returns nothing
  });
}

TEST_CASE("an engine with requests in flight overlaps their latencies, one at a time does not") {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  RecordingObserver seen;
  models::VersionClock versions;
  models::DomainIds ids;
  models::MemoryController memory("memory", flat_memory(1u << 24, 27'500, 1'250), &seen);
  models::TablePlacement tables(1u << 20, 1u << 20);
  models::IommuUnit unit("unit", {"intel-vtd", false, 4096, 0, (1ull << 48) - 1, false, 4, false},
                         ids, tables, &seen);
  models::DmaMaster serial("serial", 3, 2, true, {64, 5'000, 1}, versions, &seen);
  models::DmaMaster pipelined("pipelined", 4, 2, true, {64, 5'000, 4}, versions, &seen);
  unit.coherent_side.bind(memory.socket);
  unit.direct_side.bind(memory.socket);
  serial.socket.bind(unit.device_side);
  pipelined.socket.bind(unit.device_side);
  run_bench([&] {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 3, 0);
    unit.attach_device(d, 4, 0);
    REQUIRE(unit.map_pages(d, 0, 0x20000, 4096, 1, true, true, 0) == 0);
    serial.read(0, 64, true);  // warms the IOTLB: both engines share the unit's
    auto timed = [&](models::DmaMaster& m) {
      const sc_core::sc_time start = sc_core::sc_time_stamp();
      m.read(64, 8 * 64, true);
      return ps(sc_core::sc_time_stamp() - start);
    };
    // One line from DRAM: 27.5 ns + 1.25 ns on the bus; the link (5 ns per
    // line) overlaps it. One at a time, eight lines take eight latencies.
    CHECK(timed(serial) == 8 * 28'750);
    // Four in flight: requests leave at the link's pace, 5 ns apart, and
    // complete at 28.75, 33.75, 38.75 and 43.75 ns; the fifth waits for the
    // first (28.75 ns) and the rest follow 5 ns apart: the last is done at
    // 43.75 + 28.75 = 72.5 ns.
    CHECK(timed(pipelined) == 72'500);
  });
}
