// SPDX-License-Identifier: GPL-2.0-only
// Background DMA actors: their address patterns, their pacing, and that a
// read the IOMMU rejects still takes the link's time both ways.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bench.h"
#include "models/dma/dma_actor.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::test;
using models::DmaActor;
using models::DmaActorConfig;
using models::DmaPattern;

namespace {

// PCIe 2.0 x8 carries 4 bytes a nanosecond: a read request (24 B) takes 6 ns,
// a completion of 64 B (84 B) 21 ns and one without data (20 B) 5 ns; 10 ns
// of latency each way.
const models::PcieLinkConfig kLink{2, 8, 10'000, 256, 64};

// A device (stream 3, request size 128 B) behind a non-coherent IOMMU domain
// that maps iova 0..4 KiB to memory; no cache, so every request goes to DRAM.
struct Rig {
  RecordingObserver seen;
  models::VersionClock versions;
  models::DomainIds ids;
  models::MemoryController memory{"memory", flat_memory(1u << 24, 20'000, 1'000), &seen};
  models::TablePlacement tables{1u << 20, 1u << 20};
  models::IommuUnit unit{"unit", {"intel-vtd", false, 4096, 0, (1ull << 48) - 1, false}, ids,
                         tables, &seen};
  models::DmaMaster device;
  explicit Rig(uint64_t outstanding = 1)
      : device("device", 3, 1, true, {128, outstanding, kLink}, versions, &seen) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    unit.coherent_side.bind(memory.socket);
    unit.direct_side.bind(memory.socket);
    device.socket.bind(unit.device_side);
  }
  void map_first_page() {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 3, 0);
    REQUIRE(unit.map_pages(d, 0, 0x40000, 4096, 1, true, true, 0) == 0);
  }
  std::vector<uint64_t> iovas() const {
    std::vector<uint64_t> out;
    for (const auto& a : seen.device_accesses) out.push_back(a.iova);
    return out;
  }
};

// Stops after `n` requests.
auto after(unsigned n) {
  return [n, count = 0u](Picos) mutable { return count++ == n; };
}

}  // namespace

TEST_CASE("a probe reads every line of its range, one line per request, over and over") {
  Rig rig;
  run_bench([&] {
    rig.map_first_page();
    DmaActor probe("probe", rig.device, {DmaPattern::probe, 0x40, 128, 0, false, true, 0, 1, 1});
    probe.run(after(5));
    CHECK(rig.iovas() == std::vector<uint64_t>{0x40, 0x80, 0x40, 0x80, 0x40});
    CHECK(probe.stats().requests == 5);
    CHECK(probe.stats().lines == 5);
  });
}

TEST_CASE("a stream walks the range in the device's request size and wraps") {
  Rig rig;
  run_bench([&] {
    rig.map_first_page();
    DmaActor stream("stream", rig.device, {DmaPattern::stream, 0, 320, 0, false, true, 0, 1, 1});
    stream.run(after(4));  // 128 + 128 + 64 bytes, then from the start
    CHECK(rig.iovas() == std::vector<uint64_t>{0, 64, 128, 192, 256, 0, 64});
    CHECK(stream.stats().lines == 7);
  });
}

TEST_CASE("random offsets are aligned, inside the range, and the same for the same seed") {
  Rig rig;
  run_bench([&] {
    rig.map_first_page();
    DmaActor first("first", rig.device, {DmaPattern::random, 0, 4096, 0, false, true, 0, 42, 1});
    first.run(after(20));
    const std::vector<uint64_t> a = rig.iovas();
    rig.seen.device_accesses.clear();
    DmaActor again("again", rig.device, {DmaPattern::random, 0, 4096, 0, false, true, 0, 42, 1});
    again.run(after(20));
    CHECK(rig.iovas() == a);
    std::set<uint64_t> distinct;
    for (size_t i = 0; i < a.size(); i += 2) {  // each request is two lines
      CHECK(a[i] % 128 == 0);
      CHECK(a[i] < 4096);
      distinct.insert(a[i]);
    }
    CHECK(distinct.size() > 10);
  });
}

TEST_CASE("a read the IOMMU rejects still crosses the link and gets a completion") {
  Rig rig;
  run_bench([&] {
    // Nothing is mapped: every read faults and takes 6 + 10 ns to the root
    // complex and 5 + 10 ns for its completion without data, 31 ns in all.
    DmaActor probe("probe", rig.device, {DmaPattern::probe, 0, 4096, 0, false, true, 0, 1, 1});
    probe.run([](Picos now) { return now >= 100'000; });
    CHECK(probe.stats().requests == 4);  // at 0, 31, 62 and 93 ns
    CHECK(probe.stats().faulted_requests == 4);
    CHECK(rig.seen.faults == 4);
    CHECK(probe.stats().stopped == 124'000);
  });
}

TEST_CASE("`every` paces request starts, a slow request delays the next") {
  Rig rig;
  run_bench([&] {
    rig.map_first_page();
    DmaActor paced("paced", rig.device, {DmaPattern::probe, 0, 64, 100'000, false, true, 0, 1, 1});
    paced.run(after(3));
    REQUIRE(rig.seen.device_accesses.size() == 3);
    // A read reaches the root complex 6 + 10 ns after it starts, a line from
    // DRAM takes 20 + 1 ns, and its completion is back 21 + 10 ns later. The
    // first read misses the IOTLB and walks the 4-level table first, 4
    // dependent reads of 21 ns: its line is read at 16 + 84 + 21 = 121 ns and
    // it completes at 152 ns, past its 100 ns period, so the next starts at
    // 152 ns instead of 100 ns; the third at 152 + 100 ns.
    CHECK(rig.seen.device_accesses[0].at == 121'000);
    CHECK(rig.seen.device_accesses[1].at == 189'000);
    CHECK(rig.seen.device_accesses[2].at == 289'000);
    CHECK(paced.stats().stopped == 352'000);

    DmaActor eager("eager", rig.device, {DmaPattern::probe, 0, 64, 10'000, false, true, 0, 1, 1});
    eager.run(after(2));  // each read takes 16 + 21 + 31 = 68 ns > 10 ns
    CHECK(rig.seen.device_accesses[4].at - rig.seen.device_accesses[3].at == 68'000);
  });
}

namespace {

// The requests of an actor that wants one 64 B request per nanosecond, each
// taking 68 ns, on a device keeping `outstanding` in flight (after one
// request that fills the IOTLB).
std::vector<models::DeviceRequest> eager_requests(uint64_t outstanding) {
  Rig rig(outstanding);
  run_bench([&] {
    rig.map_first_page();
    DmaActor warm("warm", rig.device, {DmaPattern::probe, 0, 64, 0, false, true, 0, 1, 1});
    warm.run(after(1));
    DmaActor eager("eager", rig.device, {DmaPattern::probe, 0, 4096, 1'000, false, true, 0, 1, 2});
    eager.run(after(3));
  });
  REQUIRE(rig.seen.device_requests.size() == 4);
  return rig.seen.device_requests;
}

}  // namespace

TEST_CASE("with one request outstanding, an actor's next request waits for the last") {
  const auto r = eager_requests(1);
  CHECK(r[2].start >= r[1].end);
  CHECK(r[3].start >= r[2].end);
}

TEST_CASE("an actor keeps `outstanding` requests in flight across its transfers") {
  const auto r = eager_requests(2);
  CHECK(r[2].start < r[1].end);   // issued while the one before is in flight
  CHECK(r[3].start >= r[1].end);  // but not before the slot it reuses is free
  CHECK(r[3].start < r[2].end);
}
