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
  models::DmaMaster gpu("gpu", 3, 2, true, {128, 1, {}}, versions, &seen);
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

namespace {

// PCIe 2.0 x8 carries 4 bytes a nanosecond: a read request (24 B) takes 6 ns,
// a completion of 64 B (84 B) 21 ns, a write of 64 B (88 B) 22 ns; 100 ns of
// latency each way.
const models::PcieLinkConfig kLink{2, 8, 100'000, 256, 64};

// Two devices, one keeping a read in flight and one keeping four, behind an
// IOMMU unit whose IOTLB one read has warmed, over DRAM that answers a line
// in 27.5 + 1.25 ns.
struct LinkRig {
  RecordingObserver seen;
  models::VersionClock versions;
  models::DomainIds ids;
  models::MemoryController memory{"memory", flat_memory(1u << 24, 27'500, 1'250), &seen};
  models::TablePlacement tables{1u << 20, 1u << 20};
  models::IommuUnit unit{"unit", {"intel-vtd", false, 4096, 0, (1ull << 48) - 1, false, 4, false},
                         ids, tables, &seen};
  models::DmaMaster serial{"serial", 3, 2, true, {64, 1, kLink}, versions, &seen};
  models::DmaMaster pipelined{"pipelined", 4, 2, true, {64, 4, kLink}, versions, &seen};
  LinkRig() {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    unit.coherent_side.bind(memory.socket);
    unit.direct_side.bind(memory.socket);
    serial.socket.bind(unit.device_side);
    pipelined.socket.bind(unit.device_side);
  }
  void map_and_warm() {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 3, 0);
    unit.attach_device(d, 4, 0);
    REQUIRE(unit.map_pages(d, 0, 0x20000, 4096, 1, true, true, 0) == 0);
    serial.read(0, 64, true);  // warms the IOTLB: both devices share the unit's
  }
};

template <typename F>
Picos timed(F&& transfer) {
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  transfer();
  return ps(sc_core::sc_time_stamp() - start);
}

}  // namespace

TEST_CASE("an idle read over a device's link takes exactly the sum of its parts") {
  LinkRig rig;
  run_bench([&] {
    rig.map_and_warm();
    // Request 6 ns, latency 100 ns, DRAM 28.75 ns, completion 21 ns, latency
    // 100 ns; the IOTLB hit adds nothing.
    CHECK(timed([&] { rig.serial.read(64, 64, true); }) == 6'000 + 100'000 + 28'750 + 21'000 +
                                                               100'000);
    CHECK(rig.serial.link().idle_read_time(64) == 6'000 + 21'000 + 2 * 100'000);
  });
}

TEST_CASE("reads in flight overlap their round trips, one at a time does not") {
  LinkRig rig;
  run_bench([&] {
    rig.map_and_warm();
    // One at a time, eight reads take eight round trips of 255.75 ns.
    CHECK(timed([&] { rig.serial.read(64, 8 * 64, true); }) == 8 * 255'750);
    // Four tags: requests leave 6 ns apart; their data is ready at 134.75,
    // 140.75, 146.75 and 152.75 ns, and their completions follow each other
    // on the link, 21 ns apart: done at 255.75, 276.75, 297.75 and 318.75 ns.
    // The fifth read waits for the first tag (255.75 ns), and the second four
    // repeat the pattern: the last is done at 255.75 + 318.75 ns.
    CHECK(timed([&] { rig.pipelined.read(64, 8 * 64, true); }) == 255'750 + 318'750);
  });
}

TEST_CASE("writes are posted: the engine goes on at the link's pace, the transfer waits for "
          "the last to reach memory") {
  LinkRig rig;
  run_bench([&] {
    rig.map_and_warm();
    // Eight 64 B writes leave 22 ns apart, whatever the tags; the last
    // reaches the root complex at 8 * 22 + 100 ns and memory 28.75 ns later.
    CHECK(timed([&] { rig.serial.write(64, 8 * 64, true, 1); }) == 8 * 22'000 + 100'000 +
                                                                      28'750);
    CHECK(rig.seen.memory_writes.size() == 8);
  });
}
