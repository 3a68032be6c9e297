// SPDX-License-Identifier: GPL-2.0-only
#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/cpu/cpu_agent.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

// Round costs: 1 ns to issue a cache maintenance op, 11 ns a fence.
models::CpuConfig test_cpu_config(Isa isa = Isa::x86_64) {
  models::CpuConfig c;
  c.hz = 3'000'000'000;
  c.isa = isa;
  for (CacheOp op : {CacheOp::clflush, CacheOp::clflushopt, CacheOp::clwb})
    c.issue[static_cast<size_t>(op)] = 1'000;
  c.issue[static_cast<size_t>(CacheOp::dc_civac)] = 2'000;
  c.issue[static_cast<size_t>(CacheOp::dc_cvac)] = 3'000;
  c.mfence = 11'000;
  return c;
}

struct CpuRig {
  RecordingObserver seen;
  models::VersionClock versions;
  models::MemoryController memory{"memory", flat_memory(1u << 24, 27'500, 1'250), &seen};
  models::Cache cache{"llc", {1u << 16, 4, 14'000, 333, 167}, &seen};
  models::CpuAgent cpu;
  explicit CpuRig(Isa isa = Isa::x86_64)
      : cpu("cpu", test_cpu_config(isa), versions) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    cpu.socket.bind(cache.cpu_side);
    cache.mem_side.bind(memory.socket);
    cpu.set_residency(&cache);
  }
  Picos last_memory_write() const {
    Picos last = 0;
    for (const auto& w : seen.memory_writes) last = std::max(last, w.at);
    return last;
  }
};

// Two cores sharing the cache, each with the cache's residency index: one
// runs a flush while the other stores into what it has not reached yet.
struct TwoCoreRig {
  RecordingObserver seen;
  models::VersionClock versions;
  models::MemoryController memory;
  models::Cache cache;
  models::CpuAgent cpu0, cpu1;
  explicit TwoCoreRig(uint64_t memory_bytes)
      : memory("memory", flat_memory(memory_bytes, 27'500, 1'250), &seen),
        cache("llc", [] {
          models::CacheConfig c{1u << 16, 4, 14'000, 333, 167};
          c.cores = 2;
          return c;
        }(), &seen),
        cpu0("cpu0", test_cpu_config(), versions),
        cpu1("cpu1", test_cpu_config(), versions) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
    cpu0.socket.bind(cache.cpu_side);
    cpu1.socket.bind(cache.cpu_side);
    cache.mem_side.bind(memory.socket);
    cpu0.set_residency(&cache);
    cpu1.set_residency(&cache);
  }
  // A process in which core 1 stores a line at the start of each planned
  // page (numbered from `base`), `at` after `start` for each (at, page).
  void spawn_core1_stores(const std::vector<std::pair<Picos, uint64_t>>& plan, Picos start,
                          uint64_t base) {
    sc_core::sc_spawn([this, &plan, start, base] {
      for (const auto& [at, page] : plan) {
        sc_core::wait(models::from_picos(start + at - models::global_picos()));
        cpu1.store(base + page * 4096, 64, 2, 0);
        cpu1.sync();
      }
    });
  }
};

}  // namespace

TEST_CASE("clflushopt completes asynchronously: dirty lines reach DRAM only by the fence") {
  CpuRig rig;
  run_bench([&] {
    rig.cpu.store(0, 8 * 64, 1, 0);
    const Picos start = rig.cpu.now();
    for (uint64_t line = 0; line < 8; ++line) rig.cpu.flush_line(line * 64, CacheOp::clflushopt);
    CHECK(rig.cpu.now() - start == 8 * 1'000);  // issue cost only
    REQUIRE(rig.seen.memory_writes.size() == 8);
    CHECK(rig.last_memory_write() > rig.cpu.now());  // still in flight
    rig.cpu.mfence();
    CHECK(rig.cpu.now() == rig.last_memory_write());  // the fence waited for them
    CHECK(rig.memory.store().read(7 * 64).owner == 1);
  });
}

TEST_CASE("clflush is serialised: each waits for the previous line to complete") {
  CpuRig rig;
  run_bench([&] {
    rig.cpu.store(0, 8 * 64, 1, 0);
    const Picos start = rig.cpu.now();
    for (uint64_t line = 0; line < 8; ++line) rig.cpu.flush_line(line * 64, CacheOp::clflush);
    // lookup + DRAM access + one transfer per line, one after the other
    CHECK(rig.cpu.now() - start == 8 * (14'000 + 27'500 + 1'250));
    CHECK(rig.cpu.now() == rig.last_memory_write());
  });
}

TEST_CASE("clwb cleans without invalidating, flushing absent lines costs only the lookups") {
  CpuRig rig;
  run_bench([&] {
    rig.cpu.store(0, 64, 1, 0);
    const models::FlushCounts cleaned = rig.cpu.flush_line(0, CacheOp::clwb);
    CHECK(cleaned.lines_written_back == 1);
    CHECK(rig.cache.resident(0));
    CHECK_FALSE(rig.cache.dirty(0));
    rig.cpu.mfence();  // the clwb's write-back is ordered before what follows

    const Picos start = rig.cpu.now();
    const models::FlushCounts absent = rig.cpu.flush_line(4096, CacheOp::clflushopt);
    rig.cpu.mfence();
    CHECK(absent.lines_resident == 0);
    CHECK(rig.cpu.now() - start == std::max<Picos>(1'000 + 11'000, 14'000));
  });
}

TEST_CASE("every store is a new version owned by the storer") {
  CpuRig rig;
  run_bench([&] {
    rig.cpu.store(0, 128, 2, 7);
    rig.cpu.store(64, 64, 3, 0);
    const auto values = rig.cpu.load(0, 128);
    REQUIRE(values.size() == 2);
    CHECK(values[0].owner == 2);
    CHECK(values[0].tag == 7);
    CHECK(values[1].owner == 3);
    CHECK(values[1].version > values[0].version);
  });
}

TEST_CASE("on arm64 x86 flushes run as DC CIVAC and DC CVAC, completed by the DSB") {
  CpuRig rig(Isa::arm64);
  run_bench([&] {
    rig.cpu.store(0, 2 * 64, 1, 0);
    const Picos start = rig.cpu.now();
    rig.cpu.flush_line(0, CacheOp::clflush);  // DC CIVAC: asynchronous, not serialising
    CHECK(rig.cpu.now() - start == 2'000);
    CHECK_FALSE(rig.cache.resident(0));
    rig.cpu.flush_line(64, CacheOp::clwb);  // DC CVAC: cleaned, kept
    CHECK(rig.cpu.now() - start == 2'000 + 3'000);
    CHECK(rig.cache.resident(64));
    CHECK_FALSE(rig.cache.dirty(64));
    CHECK(rig.last_memory_write() > rig.cpu.now());
    rig.cpu.mfence();  // DSB
    CHECK(rig.cpu.now() == rig.last_memory_write());
    CHECK(rig.cpu.native(CacheOp::clflushopt) == CacheOp::dc_civac);
    CHECK(rig.cpu.native(CacheOp::wbinvd) == CacheOp::wbinvd);
  });
}

TEST_CASE("flush_range equals a flush_line per line, with or without lines resident") {
  // For each op: store the same pseudo-random lines in the first 8 of 16
  // pages of two regions, flush one line by line and the other with
  // flush_range. Same time, counts and statistics; a page holding nothing
  // costs no transaction.
  CpuRig rig;
  run_bench([&] {
    std::vector<uint64_t> offsets;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 40; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      offsets.push_back((x % (8 * 64)) * 64);
    }
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    uint64_t base = 0;
    for (CacheOp op : {CacheOp::clflushopt, CacheOp::clflush, CacheOp::clwb}) {
      auto pass = [&](bool ranged) {
        base += 1u << 20;
        for (uint64_t off : offsets) rig.cpu.store(base + off, 64, 1, 0);
        rig.cpu.mfence();
        const auto before = rig.cache.stats();
        const Picos start = rig.cpu.now();
        models::FlushCounts counts;
        if (ranged) {
          counts = rig.cpu.flush_range(base, 16 * 4096, op);
        } else {
          for (uint64_t line = base; line < base + 16 * 4096; line += 64)
            counts += rig.cpu.flush_line(line, op);
        }
        rig.cpu.mfence();
        return std::make_tuple(rig.cpu.now() - start, counts.lines_resident,
                               counts.lines_written_back,
                               rig.cache.stats().maintenance_ops - before.maintenance_ops,
                               rig.cache.stats().writebacks - before.writebacks);
      };
      const auto by_line = pass(false);
      const auto by_range = pass(true);
      CHECK(by_line == by_range);
      CHECK(std::get<1>(by_range) == offsets.size());
      CHECK(std::get<2>(by_range) == offsets.size());
      CHECK(std::get<3>(by_range) == 16 * 64);
      CHECK(rig.cache.lines_in_page(base + 15 * 4096) == 0);
    }
  });
}

TEST_CASE("flush_range finds what another core stores while it runs, as flush_line does") {
  // A flush of 256 pages of absent lines (16 us at 1 ns a line, across 16
  // quanta) while core 1 stores a line into three pages the flush has not
  // reached yet: flush_range must look at each page when flush_line would,
  // after the syncs that let core 1 run, and so find those lines.
  TwoCoreRig rig(1u << 27);
  models::Cache& cache = rig.cache;
  models::CpuAgent& cpu0 = rig.cpu0;
  run_bench([&] {
    const std::vector<std::pair<Picos, uint64_t>> plan{
        {2'500'000, 100}, {7'000'000, 150}, {11'300'000, 200}};  // (when, which page)
    uint64_t base = 0;
    for (CacheOp op : {CacheOp::clflushopt, CacheOp::clflush}) {
      auto pass = [&](bool ranged) {
        base += 1u << 24;
        cpu0.sync();
        const Picos start = cpu0.now();
        rig.spawn_core1_stores(plan, start, base);
        const auto before = cache.stats();
        models::FlushCounts counts;
        if (ranged) {
          counts = cpu0.flush_range(base, 256 * 4096, op);
        } else {
          for (uint64_t line = base; line < base + 256 * 4096; line += 64)
            counts += cpu0.flush_line(line, op);
        }
        cpu0.mfence();
        cpu0.sync();
        sc_core::wait(sc_core::sc_time(20, sc_core::SC_US));  // core 1 is done by now
        return std::make_tuple(cpu0.now() - start, counts.lines_resident,
                               counts.lines_written_back,
                               cache.stats().maintenance_ops - before.maintenance_ops,
                               cache.stats().writebacks - before.writebacks);
      };
      const auto by_line = pass(false);
      const auto by_range = pass(true);
      CHECK(by_line == by_range);
      CHECK(std::get<1>(by_range) == plan.size());
    }
  });
}

TEST_CASE("a long store lets other processes see its pages as a page at a time would") {
  // 200 pages at 64 x 333 ps a page, with a 1 us quantum: storing a page at
  // a time, the agent syncs after the first page whose end reaches each
  // microsecond, then runs ahead to the page that reaches the next one. So a
  // process that looks 100 ns past each microsecond sees exactly the pages
  // up to that later one stored, however the agent batches them.
  CpuRig rig;
  run_bench([&] {
    rig.cpu.sync();
    const Picos t0 = rig.cpu.now();
    const Picos per_page = 64 * 333;
    std::vector<uint64_t> seen, want;
    sc_core::sc_spawn([&] {
      for (Picos boundary = (t0 / 1'000'000 + 1) * 1'000'000; boundary < t0 + 200 * per_page;
           boundary += 1'000'000) {
        sc_core::wait(models::from_picos(boundary + 100'000 - models::global_picos()));
        const auto& s = rig.cache.stats();
        seen.push_back(s.store_hits + s.store_misses);
        const Picos next = boundary + 1'000'000;
        want.push_back(64 * std::min<uint64_t>(200, (next - t0 + per_page - 1) / per_page));
      }
    });
    rig.cpu.store(1u << 20, 200 * 4096, 1, 0);
    rig.cpu.sync();
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
    REQUIRE(seen.size() >= 4);
    CHECK(seen == want);
    CHECK(rig.cpu.now() - t0 >= 200 * per_page);
  });
}

TEST_CASE("a quantum sync that would let no one run is left out, one that would is kept") {
  CpuRig rig;
  run_bench([&] {
    rig.cpu.sync();
    const Picos t0 = models::global_picos();
    for (int i = 0; i < 10; ++i) rig.cpu.compute(1'000'000);
    // Nothing else had activity pending: global time stayed, the core ran ahead.
    CHECK(models::global_picos() == t0);
    CHECK(rig.cpu.now() == t0 + 10'000'000);
    rig.cpu.sync();
    REQUIRE(models::global_picos() == t0 + 10'000'000);
    REQUIRE(models::global_picos() % 1'000'000 == 0);
    // With a sync at every microsecond, a process that looks 2.5 us from here
    // runs during the sync at 3 us, so it sees three steps done.
    int done = 0, seen = -1;
    sc_core::sc_spawn([&] {
      sc_core::wait(sc_core::sc_time(2'500, sc_core::SC_NS));
      seen = done;
    });
    for (int i = 0; i < 10; ++i) {
      ++done;
      rig.cpu.compute(1'000'000);
    }
    rig.cpu.sync();
    CHECK(seen == 3);
  });
}

TEST_CASE("clean_pages equals a fenced flush_range per page, whatever the cache holds") {
  // 300 pages, a few of them holding stored lines, while core 1 stores into
  // three more at 3, 9 and 20 us: clean_pages against the kernel helper's
  // loop written out (software time, a fence, the page's lines, a fence),
  // for each op, with a 1 us quantum so that syncs fall inside the run.
  TwoCoreRig rig(1u << 28);
  models::Cache& cache = rig.cache;
  models::CpuAgent& cpu0 = rig.cpu0;
  run_bench([&] {
    const std::vector<std::pair<Picos, uint64_t>> plan{
        {3'000'000, 100}, {9'000'000, 150}, {20'000'000, 290}};  // (when, which page)
    uint64_t base = 0;
    for (CacheOp op : {CacheOp::clflushopt, CacheOp::clflush, CacheOp::clwb}) {
      auto pass = [&](bool helper) {
        base += 1u << 24;
        for (uint64_t page : {0, 1, 7, 120, 121}) cpu0.store(base + page * 4096 + 128, 64, 1, 0);
        cpu0.sync();
        // Both passes start on a quantum boundary, so their syncs fall alike.
        sc_core::wait(models::from_picos(1'000'000 - models::global_picos() % 1'000'000));
        cpu0.sync();
        const Picos start = cpu0.now();
        rig.spawn_core1_stores(plan, start, base);
        // What another process sees of the clean's progress past each microsecond.
        auto progress = std::make_shared<std::vector<uint64_t>>();
        sc_core::sc_spawn([&, start, progress] {
          for (int us = 1; us < 30; ++us) {
            sc_core::wait(models::from_picos(start + us * 1'000'000 + 500'000 -
                                             models::global_picos()));
            progress->push_back(cache.stats().maintenance_ops);
          }
        });
        const auto before = cache.stats();
        const Picos busy_before = cpu0.busy();
        models::FlushCounts counts;
        if (helper) {
          counts = cpu0.clean_pages(base, 300 * 4096, op, 2'000);
        } else {
          for (uint64_t page = base; page < base + 300 * 4096; page += 4096) {
            cpu0.compute(2'000);
            cpu0.mfence();
            counts += cpu0.flush_range(page, 4096, op);
            cpu0.mfence();
          }
        }
        cpu0.sync();
        sc_core::wait(sc_core::sc_time(40, sc_core::SC_US));  // the others are done by now
        for (uint64_t& ops : *progress) ops -= before.maintenance_ops;
        return std::make_tuple(cpu0.now() - start, cpu0.busy() - busy_before, counts.lines_resident,
                               counts.lines_written_back,
                               cache.stats().maintenance_ops - before.maintenance_ops,
                               cache.stats().writebacks - before.writebacks, *progress);
      };
      const auto by_page = pass(false);
      const auto by_helper = pass(true);
      CHECK(by_page == by_helper);
      CHECK(std::get<2>(by_helper) == 5 + plan.size());
    }
  });
}
