// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "bench.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::test;
using models::MemoryController;

namespace {

models::MemoryConfig config() { return flat_memory(1u << 20, 27'500, 1'250); }

}  // namespace

TEST_CASE("memory stores line values and reads them back after latency plus transfer") {
  RecordingObserver seen;
  MemoryController memory("memory", config(), &seen);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    std::vector<LineValue> lines{{7, 1, 2}, {8, 1, 2}};
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    REQUIRE(cpu.access(tlm::TLM_WRITE_COMMAND, 0x1000, lines, delay) == tlm::TLM_OK_RESPONSE);
    CHECK(ps(delay) == 27'500 + 2 * 1'250);
    REQUIRE(seen.memory_writes.size() == 2);
    CHECK(seen.memory_writes[1].pa == 0x1040);
    CHECK(seen.memory_writes[1].value.version == 8);
    CHECK(seen.memory_writes[1].who == models::MemoryWriter::writeback);
    CHECK(seen.memory_writes[1].at == 30'000);

    std::vector<LineValue> back(3);
    delay = sc_core::SC_ZERO_TIME;
    REQUIRE(cpu.access(tlm::TLM_READ_COMMAND, 0x1000, back, delay) == tlm::TLM_OK_RESPONSE);
    CHECK(back[0] == LineValue{7, 1, 2});
    CHECK(back[1] == LineValue{8, 1, 2});
    CHECK(back[2] == LineValue{});  // never written: version 0
  });
}

TEST_CASE("requests queue on the data bus") {
  MemoryController memory("memory", config(), nullptr);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    std::vector<LineValue> one(1);
    sc_core::sc_time first = sc_core::SC_ZERO_TIME, second = sc_core::SC_ZERO_TIME;
    cpu.access(tlm::TLM_READ_COMMAND, 0, one, first);
    cpu.access(tlm::TLM_READ_COMMAND, 64, one, second);
    // Both arrive at 0; the second gets the bus one transfer later.
    CHECK(ps(first) == 28'750);
    CHECK(ps(second) == 28'750 + 1'250);
    CHECK(memory.dram_stats().bus_busy == 2'500);
  });
}

TEST_CASE("memory rejects partial lines and addresses beyond its size") {
  MemoryController memory("memory", config(), nullptr);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    std::vector<LineValue> one(1);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    CHECK(cpu.access(tlm::TLM_READ_COMMAND, 32, one, delay) == tlm::TLM_BURST_ERROR_RESPONSE);
    CHECK(cpu.access(tlm::TLM_READ_COMMAND, 1u << 20, one, delay) ==
          tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(memory.stats().reads == 0);
  });
}

TEST_CASE("device writes are reported as device writes") {
  RecordingObserver seen;
  MemoryController memory("memory", config(), &seen);
  Initiator dev("dev");
  dev.socket.bind(memory.socket);
  run_bench([&] {
    std::vector<LineValue> one{{3, 2, 0}};
    models::RequestAttributes attrs;
    attrs.initiator = models::Initiator::device;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    dev.access(tlm::TLM_WRITE_COMMAND, 0, one, delay, &attrs);
    REQUIRE(seen.memory_writes.size() == 1);
    CHECK(seen.memory_writes[0].who == models::MemoryWriter::device);
  });
}

TEST_CASE("memory serves any number of initiators, debug reads, and refuses the nonblocking protocol") {
  MemoryController memory("memory", config(), nullptr);
  Initiator cpu("cpu"), dev("dev");
  cpu.socket.bind(memory.socket);
  dev.socket.bind(memory.socket);
  run_bench([&] {
    std::vector<LineValue> written{{5, 1, 0}};
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    REQUIRE(cpu.access(tlm::TLM_WRITE_COMMAND, 0x80, written, delay) == tlm::TLM_OK_RESPONSE);
    std::vector<LineValue> seen(1);
    delay = sc_core::SC_ZERO_TIME;
    REQUIRE(dev.access(tlm::TLM_READ_COMMAND, 0x80, seen, delay) == tlm::TLM_OK_RESPONSE);
    CHECK(seen[0] == LineValue{5, 1, 0});

    unsigned char data[kLineBytes] = {};
    tlm::tlm_generic_payload trans;
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_address(0x80);
    trans.set_data_ptr(data);
    trans.set_data_length(kLineBytes);
    trans.set_streaming_width(kLineBytes);
    CHECK(dev.socket->transport_dbg(trans) == kLineBytes);
    CHECK(models::get_line(data, 0) == LineValue{5, 1, 0});

    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    delay = sc_core::SC_ZERO_TIME;
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    CHECK(dev.socket->nb_transport_fw(trans, phase, delay) == tlm::TLM_COMPLETED);
    CHECK(trans.get_response_status() == tlm::TLM_COMMAND_ERROR_RESPONSE);
    CHECK(memory.stats().reads == 1);
  });
}

namespace {

// Records memory writes, and says whether it needs them line by line.
struct FillObserver : RecordingObserver {
  explicit FillObserver(bool in_order) : ordered(in_order) {}
  bool ordered;
  struct Filled {
    uint64_t pa, lines;
    LineValue value;
    Picos at;
  };
  std::vector<Filled> fills;
  bool needs_line_order() const override { return ordered; }
  void memory_filled(uint64_t pa, uint64_t lines, const LineValue& v, models::MemoryWriter,
                     Picos at) override {
    fills.push_back({pa, lines, v, at});
  }
};

models::MemoryConfig ddr4() {
  models::MemoryConfig c;
  c.size = 1u << 26;
  c.geometry = {2, 4, 4, 8192};
  c.timings = {13'750, 13'750, 13'750, 32'000, 2'500};
  return c;
}

// A fill and the same lines written one by one, issued step apart, on two
// memories: the same times, statistics and contents; an observer that needs
// line order sees each line's memory_write, another the run at once.
void check_fill(bool ordered) {
  FillObserver by_fill_seen(ordered), by_line_seen(true);
  MemoryController by_fill("by_fill", ddr4(), &by_fill_seen);
  MemoryController by_line("by_line", ddr4(), &by_line_seen);
  Initiator a("a"), b("b");
  a.socket.bind(by_fill.socket);
  b.socket.bind(by_line.socket);
  run_bench([&] {
    const LineValue value{9, 2, 0};
    const uint64_t base = 0x12340, lines = 3000;
    const Picos step = 333, start = 5'000;
    sc_core::sc_time delay = sc_core::sc_time(start, sc_core::SC_PS);
    REQUIRE(fill(a.socket, base, lines, value, step, delay) == tlm::TLM_OK_RESPONSE);
    Picos last = 0;
    for (uint64_t i = 0; i < lines; ++i) {
      std::vector<LineValue> one{value};
      sc_core::sc_time d = sc_core::sc_time(start + i * step, sc_core::SC_PS);
      REQUIRE(b.access(tlm::TLM_WRITE_COMMAND, base + i * 64, one, d) == tlm::TLM_OK_RESPONSE);
      last = std::max(last, ps(d));
    }
    CHECK(ps(delay) == last);
    CHECK(by_fill.stats().writes == lines);
    CHECK(by_fill.dram_stats().row_hits == by_line.dram_stats().row_hits);
    CHECK(by_fill.dram_stats().row_conflicts == by_line.dram_stats().row_conflicts);
    CHECK(by_fill.dram_stats().bus_busy == by_line.dram_stats().bus_busy);
    for (uint64_t pa = base - 128; pa < base + (lines + 2) * 64; pa += 64)
      REQUIRE(by_fill.store().read(pa) == by_line.store().read(pa));
    if (ordered) {
      // Each line's own memory_write, at its own time.
      REQUIRE(by_fill_seen.memory_writes.size() == lines);
      for (uint64_t i = 0; i < lines; ++i) {
        CHECK(by_fill_seen.memory_writes[i].pa == by_line_seen.memory_writes[i].pa);
        CHECK(by_fill_seen.memory_writes[i].at == by_line_seen.memory_writes[i].at);
      }
    } else {
      // One event for the run, when its last line is done.
      CHECK(by_fill_seen.memory_writes.empty());
      REQUIRE(by_fill_seen.fills.size() == 1);
      CHECK(by_fill_seen.fills[0].pa == base);
      CHECK(by_fill_seen.fills[0].lines == lines);
      CHECK(by_fill_seen.fills[0].value == value);
      CHECK(by_fill_seen.fills[0].at == last);
    }
  });
}

}  // namespace

TEST_CASE("a line fill is written as its lines issued step apart: each line shown on its own") {
  check_fill(true);
}

TEST_CASE("a line fill is written as its lines issued step apart: shown as one run") {
  check_fill(false);
}

namespace {

// Records DRAM transactions, if it says it watches traffic.
struct TrafficObserver : RecordingObserver {
  explicit TrafficObserver(bool watching) : watching(watching) {}
  bool watching;
  struct Access {
    uint64_t pa, lines;
    bool write;
    Picos start, end;
  };
  std::vector<Access> accesses;
  bool watches_traffic() const override { return watching; }
  void memory_accessed(uint64_t pa, uint64_t lines, bool write, Picos start,
                       Picos end) override {
    accesses.push_back({pa, lines, write, start, end});
  }
};

}  // namespace

TEST_CASE("DRAM transactions are shown only to an observer that watches traffic") {
  TrafficObserver watching(true), not_watching(false);
  MemoryController shown("shown", config(), &watching);
  MemoryController hidden("hidden", config(), &not_watching);
  Initiator a("a"), b("b");
  a.socket.bind(shown.socket);
  b.socket.bind(hidden.socket);
  run_bench([&] {
    for (Initiator* cpu : {&a, &b}) {
      std::vector<LineValue> two(2), three(3);
      sc_core::sc_time delay = sc_core::sc_time(1'000, sc_core::SC_PS);
      REQUIRE(cpu->access(tlm::TLM_WRITE_COMMAND, 0x1000, two, delay) == tlm::TLM_OK_RESPONSE);
      REQUIRE(cpu->access(tlm::TLM_READ_COMMAND, 0x2000, three, delay) == tlm::TLM_OK_RESPONSE);
    }
  });
  CHECK(not_watching.accesses.empty());
  REQUIRE(watching.accesses.size() == 2);
  CHECK(watching.accesses[0].pa == 0x1000);
  CHECK(watching.accesses[0].lines == 2);
  CHECK(watching.accesses[0].write);
  CHECK(watching.accesses[0].start == 1'000);
  CHECK(watching.accesses[0].end == 1'000 + 27'500 + 2 * 1'250);
  CHECK(watching.accesses[1].lines == 3);
  CHECK_FALSE(watching.accesses[1].write);
  CHECK(watching.accesses[1].start == watching.accesses[0].end);
}
