// SPDX-License-Identifier: GPL-2.0-only
// The cache hierarchy with two cores: private L1D and L2 per core, a shared
// LLC, MESI among the cores, and maintenance that reaches every copy.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/memory/memory_controller.h"

using namespace iocsim;
using namespace iocsim::test;
using models::Cache;
using models::CacheMaintenance;

namespace {

// L1D: 1 set x 2 ways; L2: 2 sets x 2 ways; LLC: 4 sets x 2 ways.
// Lines 0x000, 0x100 and 0x200 share L2 set 0 and LLC set 0.
constexpr uint64_t kA = 0x000, kB = 0x100, kC = 0x200, kD = 0x080;
constexpr Picos kL1 = 1'000, kL2 = 3'000, kLlc = 10'000, kSnoop = 20'000;
constexpr Picos kMemory = 27'500 + 1'250;  // flat memory: latency + transfer

models::CacheConfig two_cores(bool inclusive, uint64_t ddio_ways = 0) {
  models::CacheConfig c;
  c.size = 512;
  c.ways = 2;
  c.hit_latency = kLlc;
  c.store_line = 333;
  c.wbinvd_line = 100;
  c.cores = 2;
  c.l1d = {128, 2, kL1};
  c.l2 = {256, 2, kL2};
  c.inclusive = inclusive;
  c.core_snoop = kSnoop;
  c.ddio_ways = ddio_ways;
  return c;
}

struct Rig {
  RecordingObserver seen;
  models::MemoryController memory{"memory", flat_memory(1u << 20, 27'500, 1'250), &seen};
  Cache cache;
  Initiator core0{"core0"}, core1{"core1"}, device{"device"};
  explicit Rig(bool inclusive, uint64_t ddio_ways = 0) : Rig(two_cores(inclusive, ddio_ways)) {}
  explicit Rig(const models::CacheConfig& config) : cache("llc", config, &seen) {
    core0.socket.bind(cache.cpu_side);
    core1.socket.bind(cache.cpu_side);
    device.socket.bind(cache.snoop_side);
    cache.mem_side.bind(memory.socket);
  }
  Initiator& core(int n) { return n == 0 ? core0 : core1; }
  Picos load(int n, uint64_t pa, LineValue& out, Initiator* who = nullptr) {
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE((who ? *who : core(n)).access(tlm::TLM_READ_COMMAND, pa, one, d) ==
            tlm::TLM_OK_RESPONSE);
    out = one[0];
    return ps(d);
  }
  Picos store(int n, uint64_t pa, LineValue v, Initiator* who = nullptr) {
    std::vector<LineValue> one{v};
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE((who ? *who : core(n)).access(tlm::TLM_WRITE_COMMAND, pa, one, d) ==
            tlm::TLM_OK_RESPONSE);
    return ps(d);
  }
  CacheMaintenance wbinvd(int n) { return maintain(n, 0, CacheOp::wbinvd); }
  CacheMaintenance maintain(int n, uint64_t pa, CacheOp op) {
    CacheMaintenance m;
    m.op = op;
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    core(n).access(tlm::TLM_IGNORE_COMMAND, pa, one, d, nullptr, &m);
    return m;
  }
  char state(int n, uint64_t pa) const { return cache.core_state(n, pa); }
  // A read of `lines` lines by core 0 at `at`, as the CPU agent sends it:
  // when its last load issued, and when the data of all arrived.
  std::pair<Picos, Picos> read(uint64_t pa, uint64_t lines, Picos at) {
    std::vector<unsigned char> data(lines * kLineBytes);
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_address(pa);
    trans.set_data_ptr(data.data());
    trans.set_data_length(data.size());
    trans.set_streaming_width(data.size());
    models::LoadCompletion completion;
    trans.set_extension(&completion);
    sc_core::sc_time d = sc_core::sc_time(static_cast<double>(at), sc_core::SC_PS);
    core0.socket->b_transport(trans, d);
    trans.clear_extension(&completion);
    REQUIRE(trans.get_response_status() == tlm::TLM_OK_RESPONSE);
    return {ps(d), completion.completes};
  }
  Picos filled_at(uint64_t pa) const {
    for (const auto& [line, at] : seen.fill_times)
      if (line == pa) return at;
    FAIL("no fill of the line");
    return 0;
  }
};

// two_cores(false) whose loads overlap: `buffers` fill buffers, loads issued
// `load_line` apart, and an L2 streamer `distance` lines ahead.
models::CacheConfig overlapping(uint64_t buffers, Picos load_line, uint64_t distance = 0) {
  models::CacheConfig c = two_cores(false);
  c.size = 1 << 16;  // room for a read's lines and the lines a streamer brings
  c.l1d = {1 << 10, 2, kL1};
  c.l2 = {1 << 12, 4, kL2};
  c.fill_buffers = buffers;
  c.load_line = load_line;
  c.prefetch_distance = distance;
  c.prefetch_streams = 4;
  return c;
}

}  // namespace

TEST_CASE("a load looks up L1D, L2 and the LLC before memory, then hits in L1D") {
  Rig rig(true);
  run_bench([&] {
    LineValue v;
    CHECK(rig.load(0, kA, v) == kL1 + kL2 + kLlc + kMemory);
    CHECK(rig.load(0, kA, v) == kL1);
    CHECK(rig.state(0, kA) == 'E');
    CHECK(rig.cache.in_llc(kA));
    CHECK(rig.cache.stats().l1d.load_misses == 1);
    CHECK(rig.cache.stats().l1d.load_hits == 1);
    CHECK(rig.cache.stats().l2.load_misses == 1);
    CHECK(rig.cache.stats().load_misses == 1);
  });
}

TEST_CASE("MESI: a second reader shares, a writer invalidates, a reader takes the Modified data") {
  Rig rig(true);
  run_bench([&] {
    LineValue v;
    rig.load(0, kA, v);
    // Core 0 holds it Exclusive: core 1's load snoops it down to Shared.
    CHECK(rig.load(1, kA, v) == kL1 + kL2 + kLlc + kSnoop);
    CHECK(rig.state(0, kA) == 'S');
    CHECK(rig.state(1, kA) == 'S');
    CHECK(rig.cache.stats().core_snoops == 1);

    CHECK(rig.store(1, kA, {7, 1, 0}) == 333);
    CHECK(rig.state(1, kA) == 'M');
    CHECK(rig.state(0, kA) == 'I');
    CHECK(rig.cache.stats().core_invalidations == 1);

    CHECK(rig.load(0, kA, v) == kL1 + kL2 + kLlc + kSnoop);
    CHECK(v.version == 7);
    CHECK(rig.state(0, kA) == 'S');
    CHECK(rig.state(1, kA) == 'S');
    // The Modified data went to the LLC, not to memory.
    CHECK(rig.cache.dirty(kA));
    CHECK(rig.seen.memory_writes.empty());
  });
}

TEST_CASE("an inclusive LLC's eviction back-invalidates a core's Modified line and writes it once") {
  Rig rig(true);
  run_bench([&] {
    LineValue v;
    rig.store(0, kA, {5, 1, 0});
    rig.load(1, kB, v);
    rig.load(1, kC, v);  // LLC set 0 is full: A, the least recently used, goes
    CHECK(rig.state(0, kA) == 'I');
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK(rig.cache.stats().back_invalidations == 1);
    REQUIRE(rig.seen.memory_writes.size() == 1);
    CHECK(rig.seen.memory_writes[0].pa == kA);
    CHECK(rig.seen.memory_writes[0].value.version == 5);
    CHECK(rig.seen.residency ==
          std::vector<std::string>{"fill 0x100", "drop 0x0", "fill 0x200"});
  });
}

TEST_CASE("a non-inclusive LLC is filled by the cores' victims, not from memory") {
  Rig rig(false);
  run_bench([&] {
    LineValue v;
    rig.load(0, kA, v);
    CHECK_FALSE(rig.cache.in_llc(kA));
    rig.store(0, kB, {3, 1, 0});
    rig.load(0, kC, v);  // L2 set 0 holds A and B: A, clean, goes to the LLC
    CHECK(rig.state(0, kA) == 'I');
    CHECK(rig.cache.in_llc(kA));
    CHECK(rig.cache.resident(kA));
    CHECK_FALSE(rig.cache.dirty(kA));
    rig.load(0, kA, v);  // back from the LLC; B, Modified, goes there dirty
    CHECK(rig.cache.in_llc(kB));
    CHECK(rig.cache.dirty(kB));
    CHECK(rig.state(0, kB) == 'I');
    CHECK(rig.seen.memory_writes.empty());
    // The hierarchy as a whole: each line filled once, none dropped.
    CHECK(rig.seen.residency == std::vector<std::string>{"fill 0x0", "fill 0x200"});
  });
}

TEST_CASE("a store takes the line out of a non-inclusive LLC, with the duty to write it back") {
  Rig rig(false);
  run_bench([&] {
    rig.store(0, kA, {1, 1, 0});
    rig.store(0, kB, {2, 1, 0});
    rig.store(0, kC, {3, 1, 0});  // A, Modified, moves to the LLC
    REQUIRE(rig.cache.in_llc(kA));
    rig.store(1, kA, {4, 1, 0});
    CHECK_FALSE(rig.cache.in_llc(kA));
    CHECK(rig.state(1, kA) == 'M');
    const CacheMaintenance m = rig.maintain(0, kA, CacheOp::clflushopt);
    CHECK(m.lines_written_back == 1);
    REQUIRE(rig.seen.memory_writes.size() == 1);
    CHECK(rig.seen.memory_writes[0].value.version == 4);
  });
}

TEST_CASE("clflushopt on one core writes back and invalidates another core's Modified line") {
  Rig rig(true);
  run_bench([&] {
    rig.store(1, kA, {9, 1, 0});
    const CacheMaintenance flushed = rig.maintain(0, kA, CacheOp::clflushopt);
    CHECK(flushed.lines_resident == 1);
    CHECK(flushed.lines_written_back == 1);
    CHECK(flushed.completes_at == kLlc + kMemory);
    CHECK(rig.state(1, kA) == 'I');
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK(rig.memory.store().read(kA).version == 9);
  });
}

TEST_CASE("clwb on one core cleans another core's Modified line, which stays Exclusive") {
  Rig rig(true);
  run_bench([&] {
    rig.store(1, kA, {9, 1, 0});
    const CacheMaintenance cleaned = rig.maintain(0, kA, CacheOp::clwb);
    CHECK(cleaned.lines_written_back == 1);
    CHECK(rig.state(1, kA) == 'E');
    CHECK_FALSE(rig.cache.dirty(kA));
    CHECK(rig.memory.store().read(kA).version == 9);
    // Clean now: a second clwb writes nothing.
    CHECK(rig.maintain(0, kA, CacheOp::clwb).lines_written_back == 0);
  });
}

TEST_CASE("wbinvd walks every core's private caches, then the LLC, and empties them all") {
  Rig rig(false);
  run_bench([&] {
    LineValue v;
    rig.store(0, kA, {1, 1, 0});
    rig.store(1, kD, {2, 1, 0});
    rig.load(1, kB, v);
    const CacheMaintenance m = rig.wbinvd(0);
    CHECK(m.lines_resident == 3);
    CHECK(m.lines_written_back == 2);
    // Two cores walk their 4-line L2s side by side, then the 8-line LLC: at
    // least (4 + 8) x 100 ps.
    CHECK(m.completes_at >= 1'200);
    for (uint64_t pa : {kA, kB, kD}) CHECK_FALSE(rig.cache.resident(pa));
    CHECK(rig.memory.store().read(kA).version == 1);
    CHECK(rig.memory.store().read(kD).version == 2);
  });
}

TEST_CASE("wbinvd of clean caches costs the walk of the largest core's caches plus the LLC") {
  Rig rig(true);
  run_bench([&] {
    const CacheMaintenance m = rig.wbinvd(1);
    CHECK(m.completes_at == (4 + 8) * 100);
    CHECK(m.lines_resident == 0);
  });
}

TEST_CASE("a coherent device read takes a core's Modified data, a device write invalidates it") {
  Rig rig(true);
  run_bench([&] {
    rig.store(1, kA, {4, 1, 0});
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE(rig.device.access(tlm::TLM_READ_COMMAND, kA, one, d) == tlm::TLM_OK_RESPONSE);
    CHECK(one[0].version == 4);
    CHECK(ps(d) == kLlc + kSnoop);
    CHECK(rig.state(1, kA) == 'M');  // a device read changes no state

    one[0] = {8, 2, 0};
    d = sc_core::SC_ZERO_TIME;
    REQUIRE(rig.device.access(tlm::TLM_WRITE_COMMAND, kA, one, d) == tlm::TLM_OK_RESPONSE);
    CHECK(rig.state(1, kA) == 'I');
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK(rig.cache.stats().core_invalidations == 1);
    CHECK(rig.memory.store().read(kA).version == 8);
    LineValue v;
    rig.load(0, kA, v);
    CHECK(v.version == 8);
  });
}

TEST_CASE("the residency index counts a line once however many levels and cores hold it") {
  Rig rig(true);
  run_bench([&] {
    LineValue v;
    rig.load(0, kA, v);
    rig.load(1, kA, v);
    rig.load(1, kD, v);
    CHECK(rig.cache.lines_in_page(0) == 2);
    rig.maintain(0, kA, CacheOp::clflushopt);
    CHECK(rig.cache.lines_in_page(0) == 1);
    CHECK(rig.state(0, kA) == 'I');
    CHECK(rig.state(1, kA) == 'I');
  });
}

namespace {

// Random loads, stores, device reads and writes, and cache maintenance by
// both cores over lines of two pages that collide in every level; after
// each, the residency index must agree with a lookup in every level, line
// by line and page by page (the cache answers from the index alone when it
// says a line is absent).
void residency_index_follows_the_arrays(Rig& rig, uint64_t seed) {
  const std::vector<uint64_t> lines{kA,     kD,     kB,     kC,     0x040,  0x140,
                                    0x1000, 0x1040, 0x1100, 0x1200, 0x1280, 0x3c0};
  std::mt19937_64 rng(seed);
  uint32_t version = 1;
  run_bench([&] {
    for (int step = 0; step < 4000; ++step) {
      const uint64_t pa = lines[rng() % lines.size()];
      const int core = static_cast<int>(rng() % 2);
      std::vector<LineValue> one{{version++, 1, 0}};
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      LineValue v;
      switch (rng() % 10) {
        case 0: case 1: case 2: rig.load(core, pa, v); break;
        case 3: case 4: case 5: rig.store(core, pa, one[0]); break;
        case 6: rig.device.access(tlm::TLM_READ_COMMAND, pa, one, d); break;
        case 7: rig.device.access(tlm::TLM_WRITE_COMMAND, pa, one, d); break;
        case 8: {
          const CacheOp ops[] = {CacheOp::clflush, CacheOp::clflushopt, CacheOp::clwb};
          rig.maintain(core, pa, ops[rng() % 3]);
          break;
        }
        default:
          if (rng() % 8 == 0) rig.wbinvd(core);
          break;
      }
      uint64_t in_page[2] = {0, 0};
      for (uint64_t line : lines) {
        CAPTURE(step, line);
        REQUIRE(rig.cache.resident(line) == rig.cache.held_in_arrays(line));
        in_page[line >> 12] += rig.cache.held_in_arrays(line) ? 1 : 0;
      }
      REQUIRE(rig.cache.lines_in_page(0) == in_page[0]);
      REQUIRE(rig.cache.lines_in_page(0x1000) == in_page[1]);
      // The held pages, by probing each page of a short range or scanning
      // the index for a long one.
      std::vector<uint64_t> held;
      for (uint64_t page : {0, 1})
        if (in_page[page]) held.push_back(page);
      REQUIRE(rig.cache.held_pages(0, 0x2000) == held);
      REQUIRE(rig.cache.held_pages(0, 1ull << 40) == held);
      if (!in_page[0]) REQUIRE(rig.cache.held_pages(0x40, 0x1000).empty());
    }
  });
}

}  // namespace

TEST_CASE("the residency index follows every level, inclusive LLC") {
  Rig rig(true);
  residency_index_follows_the_arrays(rig, 1);
}

TEST_CASE("the residency index follows every level, non-inclusive LLC") {
  Rig rig(false);
  residency_index_follows_the_arrays(rig, 2);
}

TEST_CASE("the residency index follows every level, device writes kept in the LLC (DDIO)") {
  Rig rig(true, 1);
  residency_index_follows_the_arrays(rig, 3);
}

TEST_CASE("a read's misses overlap up to the fill buffers and the next waits for the earliest") {
  // Loads 2 ns apart reach the flat memory apart by more than its 1.25 ns
  // of bus time, so each miss costs kMemory on its own.
  Rig rig(overlapping(2, 2'000));
  run_bench([&] {
    constexpr Picos kMiss = kL1 + kL2 + kLlc + kMemory;
    const auto [issued, arrived] = rig.read(0x1000, 4, 0);
    // Lines 0 and 1 issue at 0 and 2 ns; line 2 takes line 0's buffer when
    // its data arrive; line 3, 2 ns later, line 1's.
    CHECK(issued == kMiss + 2'000 + 2'000);
    CHECK(arrived == kMiss + 2'000 + kMiss);
    CHECK(rig.filled_at(0x1000) == kMiss);
    CHECK(rig.filled_at(0x1040) == 2'000 + kMiss);
    CHECK(rig.filled_at(0x1080) == 2 * kMiss);
    CHECK(rig.filled_at(0x10c0) == 2'000 + 2 * kMiss);
    // Hits need no buffer: four L1D hits issue a line apart.
    const auto [hits_issued, hits_arrived] = rig.read(0x1000, 4, 1'000'000);
    CHECK(hits_issued == 1'000'000 + 4 * 2'000);
    CHECK(hits_arrived == 1'000'000 + 3 * 2'000 + kL1);
  });
}

TEST_CASE("with no fill buffers a read's loads go one after another, each when the last arrived") {
  Rig rig(overlapping(0, 2'000));
  run_bench([&] {
    constexpr Picos kMiss = kL1 + kL2 + kLlc + kMemory;
    const auto [issued, arrived] = rig.read(0x1000, 3, 0);
    CHECK(issued == 3 * kMiss);
    CHECK(arrived == 3 * kMiss);
  });
}

TEST_CASE("the L2 streamer fetches ahead of adjacent loads and a load of a line on its way waits") {
  Rig rig(overlapping(16, 2'000, 4));
  run_bench([&] {
    LineValue v;
    constexpr Picos kMiss = kL1 + kL2 + kLlc + kMemory;
    // Two loads of adjacent lines set the stream's direction: the second
    // reaches the L2 at kL1 and prefetches lines 2 to 5 into it.
    CHECK(rig.load(0, 0x2000, v) == kMiss);
    rig.load(0, 0x2040, v);
    CHECK(rig.cache.stats().prefetches == 4);
    CHECK(rig.state(0, 0x2140) == 'E');
    // Line 5, loaded at once, is still on its way: the load ends when it arrives.
    const Picos line5 = rig.load(0, 0x2140, v);
    CHECK(line5 > kL1 + kL2);
    CHECK(line5 == rig.filled_at(0x2140));
    // Line 2, loaded long after, is an L2 hit.
    const uint64_t l2_hits = rig.cache.stats().l2.load_hits;
    CHECK(rig.read(0x2080, 1, 1'000'000).second == 1'000'000 + kL1 + kL2);
    CHECK(rig.cache.stats().l2.load_hits == l2_hits + 1);
  });
}
