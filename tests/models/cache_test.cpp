// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::test;
using models::Cache;
using models::CacheMaintenance;

namespace {

// 2 sets x 2 ways: lines 0x000, 0x080, 0x100 all map to set 0.
constexpr uint64_t kA = 0x000, kB = 0x080, kC = 0x100;

struct Rig {
  RecordingObserver seen;
  models::MemoryController memory{"memory", flat_memory(1u << 20, 27'500, 1'250), &seen};
  Cache cache{"llc", {256, 2, 14'000, 333, 167}, &seen};
  Initiator cpu{"cpu"};
  Initiator device{"device"};
  Rig() {
    cpu.socket.bind(cache.cpu_side);
    device.socket.bind(cache.snoop_side);
    cache.mem_side.bind(memory.socket);
  }
  sc_core::sc_time load(uint64_t pa, LineValue& out) {
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE(cpu.access(tlm::TLM_READ_COMMAND, pa, one, d) == tlm::TLM_OK_RESPONSE);
    out = one[0];
    return d;
  }
  sc_core::sc_time store(uint64_t pa, LineValue v) {
    std::vector<LineValue> one{v};
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    REQUIRE(cpu.access(tlm::TLM_WRITE_COMMAND, pa, one, d) == tlm::TLM_OK_RESPONSE);
    return d;
  }
  CacheMaintenance maintain(uint64_t pa, CacheOp op) {
    CacheMaintenance m;
    m.op = op;
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.access(tlm::TLM_IGNORE_COMMAND, pa, one, d, nullptr, &m);
    return m;
  }
};

}  // namespace

TEST_CASE("a load misses to memory once, then hits") {
  Rig rig;
  run_bench([&] {
    LineValue v;
    CHECK(ps(rig.load(kA, v)) == 14'000 + 27'500 + 1'250);
    CHECK(ps(rig.load(kA, v)) == 14'000);
    CHECK(rig.cache.stats().load_misses == 1);
    CHECK(rig.cache.stats().load_hits == 1);
  });
}

TEST_CASE("stores allocate without fetching and stay dirty in the cache") {
  Rig rig;
  run_bench([&] {
    CHECK(ps(rig.store(kA, {5, 1, 0})) == 333);
    CHECK(rig.memory.stats().reads == 0);
    CHECK(rig.cache.dirty(kA));
    CHECK(rig.memory.store().read(kA).version == 0);  // DRAM still has the old data
    REQUIRE(rig.seen.cpu_stores.size() == 1);
  });
}

TEST_CASE("LRU evicts the least recently used line and writes it back if dirty") {
  Rig rig;
  run_bench([&] {
    rig.store(kA, {1, 1, 0});
    rig.store(kB, {2, 1, 0});
    LineValue v;
    rig.load(kA, v);  // A is now more recent than B
    rig.store(kC, {3, 1, 0});  // evicts B
    CHECK(rig.cache.resident(kA));
    CHECK_FALSE(rig.cache.resident(kB));
    CHECK(rig.memory.store().read(kB).version == 2);
    CHECK(rig.cache.stats().writebacks == 1);
  });
}

TEST_CASE("clflushopt writes a dirty line back and invalidates it, clwb keeps it clean") {
  Rig rig;
  run_bench([&] {
    rig.store(kA, {1, 1, 0});
    rig.store(kB, {2, 1, 0});
    const CacheMaintenance flushed = rig.maintain(kA, CacheOp::clflushopt);
    CHECK(flushed.lines_resident == 1);
    CHECK(flushed.lines_written_back == 1);
    CHECK(flushed.completes_at == 14'000 + 27'500 + 1'250);
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK(rig.memory.store().read(kA).version == 1);

    const CacheMaintenance cleaned = rig.maintain(kB, CacheOp::clwb);
    CHECK(cleaned.lines_written_back == 1);
    CHECK(rig.cache.resident(kB));
    CHECK_FALSE(rig.cache.dirty(kB));

    const CacheMaintenance absent = rig.maintain(kC, CacheOp::clflushopt);
    CHECK(absent.lines_resident == 0);
    CHECK(absent.completes_at == 14'000);
  });
}

TEST_CASE("the observer sees every fill and every line leaving the cache") {
  Rig rig;
  run_bench([&] {
    LineValue v;
    rig.load(kA, v);                       // fill A
    rig.store(kB, {2, 1, 0});              // a store allocates: no fill
    rig.store(kC, {3, 1, 0});              // evicts A (LRU)
    rig.maintain(kB, CacheOp::clwb);       // cleaned, stays
    rig.maintain(kB, CacheOp::clflushopt); // gone
    rig.maintain(0, CacheOp::wbinvd);      // C goes
    CHECK(rig.seen.residency ==
          std::vector<std::string>{"fill 0x0", "drop 0x0", "drop 0x80", "drop 0x100"});
  });
}

TEST_CASE("wbinvd writes back every dirty line and empties the cache") {
  Rig rig;
  run_bench([&] {
    rig.store(kA, {1, 1, 0});
    LineValue v;
    rig.load(kB, v);
    const CacheMaintenance all = rig.maintain(0, CacheOp::wbinvd);
    CHECK(all.lines_resident == 2);
    CHECK(all.lines_written_back == 1);
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK_FALSE(rig.cache.resident(kB));
    // A is the first entry walked, but its write-back waits for the data bus
    // until B's fill (issued at 14 ns) has transferred.
    CHECK(all.completes_at == (14'000 + 1'250) + 27'500 + 1'250);
  });
}

TEST_CASE("wbnoinvd writes back every dirty line and keeps them all, clean") {
  Rig rig;
  run_bench([&] {
    rig.store(kA, {1, 1, 0});
    LineValue v;
    rig.load(kB, v);
    const CacheMaintenance all = rig.maintain(0, CacheOp::wbnoinvd);
    CHECK(all.lines_resident == 2);
    CHECK(all.lines_written_back == 1);
    CHECK(rig.cache.resident(kA));
    CHECK_FALSE(rig.cache.dirty(kA));
    CHECK(rig.cache.resident(kB));
    CHECK(rig.memory.store().read(kA).version == 1);
  });
}

TEST_CASE("coherent device reads see dirty data, coherent writes invalidate") {
  Rig rig;
  run_bench([&] {
    rig.store(kA, {9, 1, 0});
    models::RequestAttributes dev;
    dev.initiator = models::Initiator::device;
    std::vector<LineValue> one(1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    rig.device.access(tlm::TLM_READ_COMMAND, kA, one, d, &dev);
    CHECK(one[0].version == 9);
    CHECK(rig.memory.stats().reads == 0);

    one[0] = {10, 2, 0};
    rig.device.access(tlm::TLM_WRITE_COMMAND, kA, one, d, &dev);
    CHECK_FALSE(rig.cache.resident(kA));
    CHECK(rig.memory.store().read(kA).version == 10);
    CHECK(rig.seen.memory_writes.back().who == models::MemoryWriter::device);
  });
}

TEST_CASE("a coherent device read of several lines takes each in turn, from the cache or memory") {
  Rig rig;
  run_bench([&] {
    models::RequestAttributes dev;
    dev.initiator = models::Initiator::device;
    std::vector<LineValue> lines{{3, 2, 0}, {4, 2, 0}, {5, 2, 0}};
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    rig.device.access(tlm::TLM_WRITE_COMMAND, 0x000, lines, d, &dev);  // to memory: none held
    rig.store(0x040, {9, 1, 0});                                     // the middle line, dirty
    sc_core::wait(d);  // memory idle again

    std::vector<unsigned char> data(3 * kLineBytes);
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_address(0x000);
    trans.set_data_ptr(data.data());
    trans.set_data_length(data.size());
    trans.set_streaming_width(data.size());
    trans.set_extension(new models::RequestAttributes(dev));
    d = sc_core::SC_ZERO_TIME;
    rig.device.socket->b_transport(trans, d);
    CHECK(trans.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(models::get_line(data.data(), 0).version == 3);
    CHECK(models::get_line(data.data(), 1).version == 9);  // the cache's copy, not memory's
    CHECK(models::get_line(data.data(), 2).version == 5);
    // Each line's lookup, then memory's answer for the two it lacks, one after another.
    CHECK(ps(d) == 14'000 + 2 * (14'000 + 27'500 + 1'250));
    CHECK(rig.cache.stats().snoop_hits == 1);
    CHECK(rig.cache.stats().snoop_misses == 2);
    CHECK(rig.memory.stats().reads == 2);
    // The device's request comes back as it went out.
    CHECK(trans.get_address() == 0x000);
    CHECK(trans.get_data_ptr() == data.data());
    CHECK(trans.get_data_length() == data.size());
    CHECK(trans.get_streaming_width() == data.size());
  });
}

TEST_CASE("with DDIO a coherent device write stays in the cache, dirty, in its ways only") {
  RecordingObserver seen;
  models::MemoryController memory{"memory", flat_memory(1u << 20, 27'500, 1'250), &seen};
  Cache cache{"llc", {256, 2, 14'000, 333, 167, /*ddio_ways=*/1}, &seen};
  Initiator cpu{"cpu"};
  Initiator device{"device"};
  cpu.socket.bind(cache.cpu_side);
  device.socket.bind(cache.snoop_side);
  cache.mem_side.bind(memory.socket);
  run_bench([&] {
    models::RequestAttributes attrs;
    attrs.initiator = models::Initiator::device;
    auto write = [&](uint64_t pa, LineValue v) {
      std::vector<LineValue> one{v};
      sc_core::sc_time d = sc_core::SC_ZERO_TIME;
      REQUIRE(device.access(tlm::TLM_WRITE_COMMAND, pa, one, d, &attrs) == tlm::TLM_OK_RESPONSE);
      return ps(d);
    };
    CHECK(write(kA, {5, 2, 0}) == 14'000);  // allocated: no memory write on the way
    CHECK(cache.resident(kA));
    CHECK(cache.dirty(kA));
    CHECK(seen.memory_writes.empty());
    CHECK(memory.store().read(kA).version == 0);  // DRAM is older than the cache

    // The CPU's line in the other way of set 0 is not a DDIO victim...
    std::vector<LineValue> mine{{6, 1, 0}};
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.access(tlm::TLM_WRITE_COMMAND, kB, mine, d);
    write(kC, {7, 2, 0});  // ...the earlier DDIO line in way 0 is
    CHECK(cache.resident(kB));
    CHECK(cache.resident(kC));
    CHECK_FALSE(cache.resident(kA));
    REQUIRE(seen.memory_writes.size() == 1);  // kA's write-back on eviction
    CHECK(seen.memory_writes[0].pa == kA);
    CHECK(memory.store().read(kA).version == 5);

    write(kB, {8, 2, 0});  // a hit in any way is updated in place
    CHECK(cache.stats().ddio_updates == 1);
    CHECK(cache.stats().ddio_allocations == 2);
    CHECK(cache.dirty(kB));
  });
}
