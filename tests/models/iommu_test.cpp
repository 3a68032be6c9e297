// SPDX-License-Identifier: GPL-2.0-only
#include <cerrno>

#include <catch2/catch.hpp>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"

using namespace iocsim;
using namespace iocsim::test;
using models::IoPageTable;
using models::IoPte;

namespace {

constexpr uint64_t K4 = 4096, M2 = 2u << 20;
constexpr uint64_t kBitmap = K4 | M2 | (1u << 30);
constexpr uint64_t kTablePool = 1u << 20;  // page tables at [1 MiB, 2 MiB)

}  // namespace

TEST_CASE("a page table translates within its pages and refuses double maps") {
  IoPageTable t(kBitmap, false);
  std::vector<IoPte> added;
  REQUIRE(t.map_pages(M2, 0x40000000, M2, 1, true, false, added) == 0);
  REQUIRE(t.map_pages(0, 0x1000, K4, 2, true, true, added) == 0);
  CHECK(added.size() == 3);
  CHECK(t.lookup(M2 + 0x1234)->pa == 0x40000000);
  CHECK(t.lookup(K4)->pa == 0x2000);
  CHECK_FALSE(t.lookup(2 * K4));
  CHECK(t.map_pages(M2 + K4, 0, K4, 1, true, true, added) == -EEXIST);
}

TEST_CASE("unmapping part of a large page removes it whole unless it splits") {
  std::vector<IoPte> added, removed;
  IoPageTable whole(kBitmap, false);
  whole.map_pages(0, 0, M2, 1, true, true, added);
  CHECK(whole.unmap_pages(0, K4, 1, removed) == M2);
  CHECK(whole.empty());

  IoPageTable split(kBitmap | 8192, true);
  split.map_pages(0, 0, 8192, 1, true, true, added);
  removed.clear();
  CHECK(split.unmap_pages(0, K4, 1, removed) == K4);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].size == K4);
  CHECK(split.lookup(K4)->pa == K4);
  CHECK_FALSE(split.lookup(0));
}

TEST_CASE("a page table's digest follows its entries through maps, splits and unmaps") {
  auto from_entries = [](const IoPageTable& t) {
    iocsim::SetDigest d;
    for (const auto& [iova, pte] : t.entries())
      d.add(pte.iova, pte.pa, pte.size, (pte.read ? 1 : 0) | (pte.write ? 2 : 0));
    return d;
  };
  std::vector<IoPte> added, removed;
  IoPageTable t(kBitmap, true);
  const iocsim::SetDigest empty = t.digest();
  t.map_pages(0, 0x40000000, M2, 1, true, true, added);
  t.map_pages(M2, 0x1000, K4, 4, true, false, added);
  CHECK(t.digest() == from_entries(t));
  const iocsim::SetDigest mapped = t.digest();
  t.unmap_pages(K4, K4, 2, removed);  // splits the 2 MiB page
  CHECK(t.digest() == from_entries(t));
  CHECK_FALSE(t.digest() == mapped);
  t.unmap_pages(0, K4, 1, removed);
  t.unmap_pages(3 * K4, K4, 509, removed);
  t.unmap_pages(M2, K4, 4, removed);
  CHECK(t.empty());
  CHECK(t.digest() == empty);
}

TEST_CASE("unmap of an unmapped iova unmaps nothing") {
  IoPageTable t(kBitmap, false);
  std::vector<IoPte> removed;
  CHECK(t.unmap_pages(0, K4, 1, removed) == 0);
}

TEST_CASE("a page at the very top of the 64-bit space maps and unmaps") {
  IoPageTable t(kBitmap, false);
  std::vector<IoPte> added, removed;
  const uint64_t top = 0xFFFFFFFFFFFFF000ull;
  REQUIRE(t.map_pages(top, 0x5000, K4, 1, true, true, added) == 0);
  CHECK(t.lookup(UINT64_MAX)->pa == 0x5000);
  CHECK(t.unmap_pages(top, K4, 1, removed) == K4);
  CHECK(t.empty());
}

namespace {

struct IommuRig {
  RecordingObserver seen;
  models::DomainIds ids;
  models::TablePlacement tables{kTablePool, kTablePool};
  models::MemoryController memory{"memory", flat_memory(1u << 30, 27'500, 1'250), &seen};
  models::Cache cache{"llc", {1u << 16, 4, 14'000, 333, 167}, &seen};
  models::IommuUnit unit;
  Initiator cpu{"cpu"};
  Initiator device{"device"};
  explicit IommuRig(bool snoop_control, bool coherent_walk = true,
                    models::InvalidationConfig invalidation = {}, models::IotlbConfig iotlb = {})
      : unit("unit",
             {"intel-vtd", snoop_control, kBitmap, 0, (1ull << 48) - 1, false, 4, coherent_walk,
              iotlb, invalidation},
             ids, tables, &seen) {
    cpu.socket.bind(cache.cpu_side);
    cache.mem_side.bind(memory.socket);
    unit.coherent_side.bind(cache.snoop_side);
    unit.direct_side.bind(memory.socket);
    device.socket.bind(unit.device_side);
  }
  // A domain with the device (stream 5) attached and `pages` 4 KiB pages
  // mapped read-write from iova 0 to 0x10000.
  uint32_t device_domain(uint64_t pages) {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 5, 0);
    REQUIRE(unit.map_pages(d, 0, 0x10000, K4, pages, true, true, 0) == 0);
    return d;
  }
  // The completion time of a No-Snoop read (straight to DRAM in a domain
  // that does not enforce coherency), relative to its start.
  Picos dma_time(uint64_t iova) {
    LineValue v;
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    models::RequestAttributes attrs;
    attrs.initiator = models::Initiator::device;
    attrs.stream_id = 5;
    attrs.no_snoop = true;
    std::vector<LineValue> one{v};
    REQUIRE(device.access(tlm::TLM_READ_COMMAND, iova, one, d, &attrs) == tlm::TLM_OK_RESPONSE);
    sc_core::wait(d);  // so the next request finds the memory bus idle
    sc_core::wait(ns(100));
    return ps(sc_core::sc_time_stamp() - start - ns(100));
  }
  tlm::tlm_response_status dma(tlm::tlm_command cmd, uint64_t iova, LineValue& v, bool no_snoop) {
    models::RequestAttributes attrs;
    attrs.initiator = models::Initiator::device;
    attrs.stream_id = 5;
    attrs.no_snoop = no_snoop;
    std::vector<LineValue> one{v};
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    auto status = device.access(cmd, iova, one, d, &attrs);
    v = one[0];
    return status;
  }
};

}  // namespace

TEST_CASE("No-Snoop bypasses the cache only in a domain that does not enforce coherency") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t d = rig.unit.domain_alloc();
    CHECK_FALSE(rig.unit.enforce_cache_coherency(d, 0));
    rig.unit.attach_device(d, 5, 0);
    REQUIRE(rig.unit.map_pages(d, 0, 0x10000, K4, 1, true, true, 0) == 0);

    std::vector<LineValue> dirty{{42, 1, 0}};
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    rig.cpu.access(tlm::TLM_WRITE_COMMAND, 0x10000, dirty, t);  // dirty in the cache only

    LineValue got;
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, got, true) == tlm::TLM_OK_RESPONSE);
    CHECK(got.version == 0);  // straight from DRAM: stale
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, got, false) == tlm::TLM_OK_RESPONSE);
    CHECK(got.version == 42);  // snooped
    CHECK(rig.unit.stats().lines_direct == 1);
    CHECK(rig.unit.stats().lines_snooped == 1);
    REQUIRE(rig.seen.device_accesses.size() == 2);
    CHECK(rig.seen.device_accesses[0].pa == 0x10000);
    CHECK_FALSE(rig.seen.device_accesses[0].snooped);
  });
}

TEST_CASE("a unit with snoop control makes No-Snoop requests snoop") {
  IommuRig rig(true);
  run_bench([&] {
    const uint32_t d = rig.unit.domain_alloc();
    CHECK(rig.unit.enforce_cache_coherency(d, 0));
    rig.unit.attach_device(d, 5, 0);
    rig.unit.map_pages(d, 0, 0x10000, K4, 1, true, true, 0);
    std::vector<LineValue> dirty{{42, 1, 0}};
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    rig.cpu.access(tlm::TLM_WRITE_COMMAND, 0x10000, dirty, t);
    LineValue got;
    rig.dma(tlm::TLM_READ_COMMAND, 0, got, true);
    CHECK(got.version == 42);
    CHECK(rig.unit.stats().lines_direct == 0);
  });
}

TEST_CASE("translation faults are recorded and answered with an error, not fatal") {
  IommuRig rig(false);
  run_bench([&] {
    LineValue v;
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const uint32_t d = rig.unit.domain_alloc();
    rig.unit.attach_device(d, 5, 0);
    rig.unit.map_pages(d, 0, 0x10000, K4, 1, true, false, 0);  // read-only
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, K4, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    v = {1, 1, 0};
    CHECK(rig.dma(tlm::TLM_WRITE_COMMAND, 0, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(rig.unit.stats().faults == 3);
    CHECK(rig.seen.faults == 3);
    CHECK(rig.unit.map_pages(d, 1ull << 48, 0, K4, 1, true, true, 0) == -EFAULT);
  });
}

TEST_CASE("a device's requests follow it from domain to domain and fault once it is detached") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t a = rig.device_domain(1);  // iova 0 -> 0x10000
    const uint32_t b = rig.unit.domain_alloc();
    REQUIRE(rig.unit.map_pages(b, 0, 0x20000, K4, 1, true, true, 0) == 0);
    LineValue v;
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_OK_RESPONSE);
    CHECK(rig.seen.device_accesses.back().pa == 0x10000);
    rig.unit.attach_device(b, 5, 0);  // moves the device from a to b
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_OK_RESPONSE);
    CHECK(rig.seen.device_accesses.back().pa == 0x20000);
    CHECK(rig.seen.device_accesses.back().domain == b);
    rig.unit.detach_device(b, 5, 0);
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    rig.unit.attach_device(a, 5, 0);
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_OK_RESPONSE);
    CHECK(rig.seen.device_accesses.back().pa == 0x10000);
    rig.unit.detach_device(a, 5, 0);
    rig.unit.domain_free(a, 0);
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
}

TEST_CASE("an IOTLB miss walks the table with one dependent read per level") {
  IommuRig rig(false, /*coherent_walk=*/false);
  run_bench([&] {
    const uint32_t d = rig.device_domain(2);
    REQUIRE(rig.unit.map_pages(d, M2, 0x200000, M2, 1, true, true, 0) == 0);
    constexpr Picos kLine = 27'500 + 1'250;  // one DRAM read on an idle bus
    CHECK(rig.dma_time(0) == 5 * kLine);     // 4 walk reads, then the data
    CHECK(rig.dma_time(64) == kLine);        // IOTLB hit
    CHECK(rig.dma_time(K4) == 5 * kLine);    // another 4 KiB page: another walk
    CHECK(rig.dma_time(M2) == 4 * kLine);    // a 2 MiB page's walk stops one level higher
    CHECK(rig.dma_time(M2 + 0x1F0000) == kLine);  // the superpage's one entry covers it
    CHECK(rig.unit.stats().walks == 3);
    CHECK(rig.unit.stats().walk_reads == 11);
    CHECK(rig.unit.iotlb_stats().hits == 2);
    CHECK(rig.cache.stats().snoop_misses == 0);  // not coherent: straight to DRAM
  });
}

TEST_CASE("a paging-structure cache lets a walk start below the root until an invalidation") {
  IommuRig rig(false, /*coherent_walk=*/false, {}, {128, 128, /*walk_cache_entries=*/8});
  run_bench([&] {
    const uint32_t d = rig.device_domain(3);
    REQUIRE(rig.unit.map_pages(d, M2, 0x200000, M2, 1, true, true, 0) == 0);
    constexpr Picos kLine = 27'500 + 1'250;
    CHECK(rig.dma_time(0) == 5 * kLine);   // from the root; levels 4, 3 and 2 are cached
    CHECK(rig.dma_time(K4) == 2 * kLine);  // the level-2 entry covers it: the leaf only
    CHECK(rig.dma_time(M2) == 2 * kLine);  // the level-3 entry covers the 2 MiB leaf's table
    CHECK(rig.unit.stats().walk_reads == 4 + 1 + 1);
    CHECK(rig.unit.walk_cache_stats().hits == 2);
    CHECK(rig.unit.walk_cache_stats().misses == 1);
    rig.unit.iotlb_sync(d, 0, K4, models::to_picos(sc_core::sc_time_stamp()));
    CHECK(rig.dma_time(2 * K4) == 5 * kLine);  // the domain's entries went with the IOTLB's
  });
}

TEST_CASE("a coherent walk reads the page table through the cache") {
  IommuRig rig(false, /*coherent_walk=*/true);
  run_bench([&] {
    rig.device_domain(1);
    rig.dma_time(0);
    CHECK(rig.cache.stats().snoop_misses == 4);  // the table reads; the data bypass it
    CHECK(rig.seen.device_accesses.size() == 1);  // table reads are not device data
  });
}

TEST_CASE("after an unmap a device reaches the old page through the IOTLB until the sync") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t d = rig.device_domain(2);
    LineValue v;
    REQUIRE(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_OK_RESPONSE);  // cached
    CHECK(rig.unit.unmap_pages(d, 0, K4, 2, 0) == 2 * K4);
    CHECK(rig.seen.iotlb == std::vector<std::string>{"stale 0x0"});  // page 1 was never cached
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, 0x80, v, false) == tlm::TLM_OK_RESPONSE);
    CHECK(rig.seen.device_accesses.back().pa == 0x10080);
    CHECK(rig.seen.device_accesses.back().stale_translation);
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, K4, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    rig.unit.iotlb_sync(d, 0, 2 * K4, 0);
    CHECK(rig.seen.iotlb.back() == "dropped 0x0");
    CHECK(rig.dma(tlm::TLM_READ_COMMAND, 0, v, false) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(rig.unit.stats().stale_translations == 1);
    CHECK(rig.unit.stats().faults == 2);
  });
}

TEST_CASE("freeing a domain drops its IOTLB entries") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t d = rig.device_domain(1);
    LineValue v;
    rig.dma(tlm::TLM_READ_COMMAND, 0, v, false);
    rig.unit.unmap_pages(d, 0, K4, 1, 0);
    rig.unit.detach_device(d, 5, 0);
    rig.unit.domain_free(d, 0);
    CHECK(rig.seen.iotlb == std::vector<std::string>{"stale 0x0", "dropped 0x0"});
    CHECK(rig.unit.iotlb_stats().invalidated == 1);
  });
}

TEST_CASE("deferred invalidation holds syncs until the queue fills or times out") {
  IommuRig rig(false, true, {true, 3, 10'000'000});  // 3 syncs, 10 us
  run_bench([&] {
    const uint32_t d = rig.device_domain(4);
    LineValue v;
    for (uint64_t page = 0; page < 4; ++page) rig.dma(tlm::TLM_READ_COMMAND, page * K4, v, false);
    rig.unit.unmap_pages(d, 0, K4, 4, 0);
    CHECK(rig.unit.queue_sync(d, 0, K4, 1'000));      // queued
    CHECK(rig.unit.queue_sync(d, K4, K4, 2'000));     // queued: two in the queue
    CHECK_FALSE(rig.unit.queue_sync(d, 2 * K4, K4, 3'000));  // would fill it: the caller syncs
    CHECK(rig.unit.iotlb_stats().invalidated == 0);
    rig.unit.iotlb_sync(d, 2 * K4, K4, 3'000);        // the queue and this range, at once
    CHECK(rig.unit.iotlb_stats().invalidated == 3);
    CHECK(rig.unit.stats().fq_flushes == 1);

    CHECK(rig.unit.queue_sync(d, 3 * K4, K4, 4'000));
    rig.unit.settle(4'000 + 9'999'999);               // not yet
    CHECK(rig.unit.iotlb_stats().invalidated == 3);
    rig.unit.settle(50'000'000);                       // expired at 4 ns + 10 us
    CHECK(rig.unit.iotlb_stats().invalidated == 4);
    CHECK(rig.unit.stats().fq_timeouts == 1);
    CHECK(rig.seen.iotlb.back() == "dropped 0x3000");
  });
}

TEST_CASE("a strict unit never queues a sync") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t d = rig.unit.domain_alloc();
    CHECK_FALSE(rig.unit.queue_sync(d, 0, K4, 0));
  });
}

TEST_CASE("a translated extent runs to the end of the entry that translates the address") {
  IommuRig rig(false);
  run_bench([&] {
    const uint32_t d = rig.unit.domain_alloc();
    const uint64_t M2 = 2u << 20;
    REQUIRE(rig.unit.map_pages(d, 0x200000, 0x40000000, M2, 1, true, true, 0) == 0);
    REQUIRE(rig.unit.map_pages(d, 0x400000, 0x9000, K4, 2, true, true, 0) == 0);
    uint64_t pa = 0;
    CHECK(rig.unit.translated_extent(d, 0x200000, pa) == M2);
    CHECK(pa == 0x40000000);
    CHECK(rig.unit.translated_extent(d, 0x3ff000, pa) == K4);  // the superpage's last 4 KiB
    CHECK(pa == 0x401ff000);
    CHECK(rig.unit.translated_extent(d, 0x401000, pa) == K4);  // one 4 KiB entry each
    CHECK(pa == 0xa000);
    CHECK(pa == rig.unit.iova_to_phys(d, 0x401000));
    CHECK(rig.unit.translated_extent(d, 0x402000, pa) == 0);
  });
}
