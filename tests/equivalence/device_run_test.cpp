// SPDX-License-Identifier: GPL-2.0-only
// A device's runs of writes and reads (DmaMaster::transfer, LineFill::device_run,
// PacedReads) have the outcome of their lines one by one: two platforms, one offering runs and
// one not, take the same random mix of DMA writes and reads, CPU stores,
// maps, unmaps with and without IOTLB syncs, a second device of another
// principal coming and going, and a domain made coherent; every timing, every
// model's counters, memory's contents and the oracle's windows, counts and
// the timeline's bursts must agree.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <systemc>

#include "analysis/oracle.h"
#include "analysis/timeline.h"
#include "models/bench.h"
#include "models/cache/cache.h"
#include "models/common/observer_fanout.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"

using namespace iocsim;

namespace {

constexpr uint64_t kGuestPa = 16ull << 20;   // the guest's frames: 32 MiB from here
constexpr uint64_t kSpan = 32ull << 20;      // IOVA [0, kSpan) maps them
constexpr uint64_t kChunk = 2ull << 20;
constexpr uint64_t kTables = 200ull << 20;   // the I/O page tables
constexpr uint32_t kDevice = 1, kOther = 2;  // stream ids; owners 1 and 2

// What the test varies per seed.
struct Shape {
  uint64_t ddio_ways;
  Picos latency;
  uint64_t iotlb_entries;
};

Shape shape_of(uint64_t seed) {
  std::mt19937_64 rng(seed);
  return {rng() % 3 == 0 ? uint64_t{2} : 0, Picos{1'000} + rng() % 200'000,
          uint64_t{4} << (rng() % 4)};
}

// One platform and its observers.
struct Side {
  analysis::Oracle oracle;
  analysis::Timeline timeline;
  models::ObserverFanout observers;
  models::VersionClock versions;
  models::DomainIds ids;
  models::TablePlacement tables{kTables, 8ull << 20};
  std::unique_ptr<models::MemoryController> memory;
  std::unique_ptr<models::Cache> cache;
  std::unique_ptr<models::IommuUnit> unit;
  std::unique_ptr<models::DmaMaster> device, other;
  std::unique_ptr<test::Initiator> core;
  std::string log;  // every result and time, in order

  Side(const std::string& name, const Shape& shape, bool runs) {
    observers.add(oracle);
    observers.add(timeline);
    models::MemoryConfig m;
    m.size = 256ull << 20;
    m.geometry = {2, 4, 4, 8192};
    m.timings = {13'750, 13'750, 13'750, 32'000, 2'500};
    m.write_queue = 32;
    memory = std::make_unique<models::MemoryController>((name + "_memory").c_str(), m, &observers);
    models::CacheConfig c{64 * 1024, 4, 9'333, 333, 167};
    c.ddio_ways = shape.ddio_ways;
    c.cores = 1;
    c.l1d = {8 * 1024, 2, 1'667};
    cache = std::make_unique<models::Cache>((name + "_cache").c_str(), c, &observers);
    models::IommuUnitConfig u{"intel-vtd", true, 0x40201000, 0, (1ull << 48) - 1, false, 4,
                              true, {shape.iotlb_entries, shape.iotlb_entries, 0}, {}};
    unit = std::make_unique<models::IommuUnit>((name + "_unit").c_str(), u, ids, tables,
                                               &observers);
    models::DmaConfig d;
    d.link.latency = shape.latency;
    d.runs = runs;
    device = std::make_unique<models::DmaMaster>((name + "_device").c_str(), kDevice, 1, true, d,
                                                 versions, &observers);
    other = std::make_unique<models::DmaMaster>((name + "_other").c_str(), kOther, 2, true, d,
                                                versions, &observers);
    core = std::make_unique<test::Initiator>((name + "_core").c_str());
    core->socket.bind(cache->cpu_side);
    cache->mem_side.bind(memory->socket);
    unit->coherent_side.bind(cache->snoop_side);
    unit->direct_side.bind(memory->socket);
    device->socket.bind(unit->device_side);
    other->socket.bind(unit->device_side);
    oracle.register_device(kDevice, 1);
    oracle.register_device(kOther, 2);
  }

  void note(const std::string& what) { log += what + "\n"; }
};

Picos now() { return models::global_picos(); }

std::string result_text(const models::DmaResult& r) {
  std::string owners;
  for (const auto& [owner, lines] : r.values.by_owner()) owners += fmt::format("{}:{} ", owner, lines);
  return fmt::format("lines {} faults {} last {}/{}/{} owners {}", r.lines, r.faults,
                     r.last.version, r.last.owner, r.last.tag, owners);
}

// The same random operations on `s` for every side (`seed` picks them).
void drive(Side& s, uint64_t seed) {
  std::mt19937_64 rng(seed * 7919 + 1);
  const uint32_t domain = s.unit->domain_alloc();
  s.unit->attach_device(domain, kDevice, now());
  // Each 2 MiB of IOVA: one 2 MiB page, or 4 KiB pages of the chunk's frames
  // in a shuffled order, some read-only, some left out.
  std::vector<std::pair<uint64_t, uint64_t>> pages;  // (iova, pa) of 4 KiB pages mapped
  for (uint64_t chunk = 0; chunk < kSpan; chunk += kChunk) {
    const uint64_t pa = kGuestPa + chunk;
    if (rng() % 3 == 0) {
      REQUIRE(s.unit->map_pages(domain, chunk, pa, kChunk, 1, true, true, now()) == 0);
      continue;
    }
    std::vector<uint64_t> frames(kChunk / kPageBytes);
    for (uint64_t i = 0; i < frames.size(); ++i) frames[i] = pa + i * kPageBytes;
    std::shuffle(frames.begin(), frames.end(), rng);
    for (uint64_t i = 0; i < frames.size(); ++i) {
      if (rng() % 16 == 0) continue;
      const bool writable = rng() % 8 != 0;
      REQUIRE(s.unit->map_pages(domain, chunk + i * kPageBytes, frames[i], kPageBytes, 1, true,
                                writable, now()) == 0);
      pages.emplace_back(chunk + i * kPageBytes, frames[i]);
    }
  }
  bool other_attached = false;
  for (int op = 0; op < 160; ++op) {
    const unsigned kind = rng() % 100;
    const uint64_t iova = (rng() % (kSpan / kLineBytes)) * kLineBytes;
    if (kind < 45) {
      const uint64_t lines = 1 + rng() % (rng() % 4 == 0 ? 20'000 : 600);
      const uint64_t size = std::min(lines * kLineBytes, kSpan - iova);
      const bool no_snoop = rng() % 2;
      models::DmaMaster& who = rng() % 5 == 0 && other_attached ? *s.other : *s.device;
      s.note(fmt::format("write {:#x}+{:#x}: {} at {}", iova, size,
                         result_text(who.write(iova, size, no_snoop, 3)), now()));
    } else if (kind < 58) {
      const uint64_t lines = 1 + rng() % (rng() % 4 == 0 ? 20'000 : 600);
      const uint64_t size = std::min(lines * kLineBytes, kSpan - iova);
      s.note(fmt::format("read {:#x}+{:#x}: {} at {}", iova, size,
                         result_text(s.device->read(iova, size, rng() % 2)), now()));
    } else if (kind < 72) {
      // CPU stores to a page's lines, which the caches then hold.
      const uint64_t pa = kGuestPa + (rng() % (kSpan / kLineBytes)) * kLineBytes;
      std::vector<LineValue> lines(std::min<uint64_t>(1 + rng() % 40, (kGuestPa + kSpan - pa) /
                                                                          kLineBytes),
                                   LineValue{s.versions.next(), static_cast<OwnerId>(1 + rng() % 3), 0});
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      REQUIRE(s.core->access(tlm::TLM_WRITE_COMMAND, pa, lines, delay) == tlm::TLM_OK_RESPONSE);
      sc_core::wait(delay);
      s.note(fmt::format("store {:#x} at {}", pa, now()));
    } else if (kind < 82 && !pages.empty()) {
      // A 4 KiB page unmapped, its IOTLB entry left stale until a sync.
      const size_t i = rng() % pages.size();
      s.unit->unmap_pages(domain, pages[i].first, kPageBytes, 1, now());
      if (rng() % 2) s.unit->iotlb_sync(domain, pages[i].first, kPageBytes, now());
      pages.erase(pages.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (kind < 87) {
      s.unit->iotlb_sync(domain, 0, kSpan, now());
    } else if (kind < 93) {
      if (other_attached) s.unit->detach_device(domain, kOther, now());
      else s.unit->attach_device(domain, kOther, now());
      other_attached = !other_attached;
    } else if (kind < 95) {
      s.unit->enforce_cache_coherency(domain, now());
    } else {
      sc_core::wait(sc_core::sc_time(static_cast<double>(rng() % 5'000'000), sc_core::SC_PS));
    }
  }
  s.oracle.finish(now());
}

std::string report(const Side& s) {
  std::string out = s.log;
  for (const analysis::Window& w : s.oracle.windows())
    out += fmt::format(
        "window {} pa {:#x}+{:#x} iova {:#x} stream {} owner {} {}..{} longest {} windows {} "
        "realized {} hits {} first {} quickest {} open {}\n",
        static_cast<int>(w.kind), w.pa, w.size, w.iova, w.stream_id, w.owner, w.start, w.end,
        w.longest, w.windows, w.realized_windows, w.hits, w.first_hit, w.quickest_hit,
        w.open_at_end);
  const analysis::Counts& c = s.oracle.counts();
  out += fmt::format("counts {} {} {} {} {} {} {} outside {}\n", c.leaks, c.disclosures,
                     c.stale_device_reads, c.stale_cpu_reads, c.lost_writes,
                     c.stale_iotlb_accesses, c.iommu_faults, s.oracle.realized_outside_windows());
  for (const analysis::ActivityBurst& b : s.timeline.bursts())
    out += fmt::format("burst {}/{} {} {}..{} requests {} bytes {} faulted {}\n", b.stream_id,
                       b.engine, b.write, b.start, b.end, b.requests, b.bytes, b.faulted);
  for (const stats::Provider* p : std::initializer_list<const stats::Provider*>{
           s.memory.get(), s.cache.get(), s.unit.get(), s.device.get(), s.other.get()})
    for (const auto& [name, value] : p->statistics().values())
      out += fmt::format("{} {}\n", name.substr(name.find('.') + 1), value);
  for (uint64_t pa = kGuestPa; pa < kGuestPa + kSpan; pa += kLineBytes) {
    const LineValue v = s.memory->store().read(pa);
    const LineValue newest = s.oracle.newest(pa);
    if (v.version || newest.version)
      out += fmt::format("{:#x} {}/{} newest {}\n", pa, v.version, v.owner, newest.version);
  }
  return out;
}

// Runs both sides in threads of one simulation: each sees the global time
// it would see alone, as neither waits on the other.
struct Pair : sc_core::sc_module {
  SC_HAS_PROCESS(Pair);
  Side fast, slow;
  uint64_t seed;
  Pair(sc_core::sc_module_name name, uint64_t s)
      : sc_module(name), fast("fast", shape_of(s), true), slow("slow", shape_of(s), false),
        seed(s) {
    SC_THREAD(run_fast);
    SC_THREAD(run_slow);
  }
  void run_fast() { drive(fast, seed); }
  void run_slow() { drive(slow, seed); }
};

// Seeds [first, first + count) under a TLM quantum of `quantum`.
void check_seeds(uint64_t first, uint64_t count, sc_core::sc_time quantum) {
  std::vector<std::unique_ptr<Pair>> pairs;
  for (uint64_t seed = first; seed < first + count; ++seed)
    pairs.push_back(std::make_unique<Pair>(fmt::format("pair{}", seed).c_str(), seed));
  tlm::tlm_global_quantum::instance().set(quantum);
  sc_core::sc_start();
  // Both ways must have been taken: lines in runs, and lines one by one.
  uint64_t in_runs = 0, written = 0;
  for (const auto& p : pairs) {
    INFO("seed " << p->seed);
    CHECK(report(p->fast) == report(p->slow));
    CHECK(p->slow.device->run_lines() == 0);
    in_runs += p->fast.device->run_lines();
    written += p->fast.device->stats().lines_written + p->fast.device->stats().lines_read;
  }
  CHECK(in_runs > written / 10);
  CHECK(in_runs < written);
}

}  // namespace

TEST_CASE("device runs have the outcome of their lines one by one under a 1 us quantum") {
  check_seeds(1, 8, sc_core::sc_time(1, sc_core::SC_US));
}

TEST_CASE("device runs have the outcome of their lines one by one under a 50 ns quantum") {
  check_seeds(101, 8, sc_core::sc_time(50, sc_core::SC_NS));
}
