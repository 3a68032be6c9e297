// SPDX-License-Identifier: GPL-2.0-only
// The memory controller's write queue: when writes are posted.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "bench.h"
#include "models/memory/memory_controller.h"

using namespace iocsim;
using namespace iocsim::test;
using models::MemoryController;

namespace {

models::MemoryConfig ddr4(uint64_t channels, uint64_t write_queue) {
  models::MemoryConfig c;
  c.size = 1u << 26;
  c.geometry = {channels, 4, 4, 8192};
  c.timings = {13'750, 13'750, 13'750, 32'000, 2'500};
  c.write_queue = write_queue;
  return c;
}

// A write of `lines` lines of `value` from `addr` at `at` (a LineFill of
// lines issued `step` apart when `step` is given, else one write); returns
// when the memory controller posted its last line.
Picos posted_write(Initiator& by, uint64_t addr, uint64_t lines, Picos at,
                   std::optional<Picos> step = std::nullopt) {
  models::WritePosting posting;
  models::LineFill run;
  run.value = {1, 1, 0};
  run.step = step.value_or(0);
  std::vector<unsigned char> data(lines * kLineBytes);
  tlm::tlm_generic_payload trans;
  trans.set_command(step ? tlm::TLM_IGNORE_COMMAND : tlm::TLM_WRITE_COMMAND);
  trans.set_address(addr);
  trans.set_data_ptr(data.data());
  trans.set_data_length(data.size());
  trans.set_streaming_width(data.size());
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  trans.set_extension(&posting);
  if (step) trans.set_extension(&run);
  sc_core::sc_time delay = sc_core::sc_time(static_cast<double>(at), sc_core::SC_PS);
  by.socket->b_transport(trans, delay);
  trans.clear_extension(&posting);
  if (step) trans.clear_extension(&run);
  REQUIRE(trans.get_response_status() == tlm::TLM_OK_RESPONSE);
  return posting.posted;
}

}  // namespace

TEST_CASE("a write queue of N entries posts the N+1st write when DRAM frees the first entry") {
  MemoryController memory("memory", ddr4(1, 2), nullptr);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    // Four writes to one row, all arriving at 0. The first opens the row
    // (ACTIVATE at 0, WRITE at tRCD = 13.75 ns, data 27.5-30 ns) and leaves
    // the queue with its column command: at 13.75 ns. The second's column
    // follows a burst later, 16.25 ns. Two entries: the first two are posted
    // at once, the third when the first leaves, the fourth when the second does.
    CHECK(posted_write(cpu, 0x0, 1, 0) == 0);
    CHECK(posted_write(cpu, 0x40, 1, 0) == 0);
    CHECK(posted_write(cpu, 0x80, 1, 0) == 13'750);
    CHECK(posted_write(cpu, 0xc0, 1, 0) == 16'250);
    // One arriving after every entry is free again is posted on arrival.
    CHECK(posted_write(cpu, 0x100, 1, 1'000'000) == 1'000'000);
  });
}

TEST_CASE("a write queue drains at the bus's pace: one burst per posting in a backlog") {
  MemoryController memory("memory", ddr4(1, 4), nullptr);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    // 100 lines of one row at once: the bus takes one per 2.5 ns, so each
    // write after the fourth is posted one burst after the one before it.
    Picos before = 0;
    for (uint64_t i = 0; i < 100; ++i) {
      const Picos posted = posted_write(cpu, i * 64, 1, 0);
      if (i >= 5) CHECK(posted == before + 2'500);
      before = posted;
    }
  });
}

TEST_CASE("without a limit every write is posted on arrival") {
  MemoryController memory("memory", ddr4(2, 0), nullptr);
  Initiator cpu("cpu");
  cpu.socket.bind(memory.socket);
  run_bench([&] {
    for (uint64_t i = 0; i < 200; ++i) CHECK(posted_write(cpu, i * 64, 1, 5'000) == 5'000);
    CHECK(posted_write(cpu, 0x40000, 3000, 7'000, Picos{100}) == 7'000 + 2999 * 100);
  });
}

TEST_CASE("a run of writes is posted as its lines one by one would be, whatever the queue") {
  std::mt19937_64 random(23);
  auto pick = [&](uint64_t n) { return random() % n; };
  // Modules are made before the simulation starts: a pair per trial.
  struct Trial {
    uint64_t channels, entries;
    std::unique_ptr<MemoryController> by_run, by_line;
    std::unique_ptr<Initiator> a, b;
  };
  std::vector<Trial> trials;
  for (int i = 0; i < 60; ++i) {
    const uint64_t channels = 1 + pick(3), entries = pick(40);
    const std::string n = std::to_string(i);
    Trial t{channels, entries,
            std::make_unique<MemoryController>(("by_run" + n).c_str(), ddr4(channels, entries),
                                               nullptr),
            std::make_unique<MemoryController>(("by_line" + n).c_str(), ddr4(channels, entries),
                                               nullptr),
            std::make_unique<Initiator>(("a" + n).c_str()),
            std::make_unique<Initiator>(("b" + n).c_str())};
    t.a->socket.bind(t.by_run->socket);
    t.b->socket.bind(t.by_line->socket);
    trials.push_back(std::move(t));
  }
  run_bench([&] {
    for (size_t trial = 0; trial < trials.size(); ++trial) {
      Initiator& a = *trials[trial].a;
      Initiator& b = *trials[trial].b;
      INFO("trial " << trial << ": " << trials[trial].channels << " channels, "
                    << trials[trial].entries << " entries");
      Picos now = pick(100'000);
      for (int round = 0; round < 6; ++round) {
        // Some single writes, the same on both, then a run and its lines.
        for (int i = 0, n = static_cast<int>(pick(40)); i < n; ++i) {
          const uint64_t pa = pick(1u << 18) * 64;
          now += pick(3'000);
          REQUIRE(posted_write(a, pa, 1, now) == posted_write(b, pa, 1, now));
        }
        const uint64_t base = pick(1u << 18) * 64, lines = 1 + pick(pick(2) ? 40 : 3000);
        const Picos step = pick(4'000);
        Picos want = now;
        for (uint64_t i = 0; i < lines; ++i)
          want = std::max(want, posted_write(b, base + i * 64, 1, now + i * step));
        INFO("round " << round << ": " << lines << " lines from " << base << ", step " << step);
        REQUIRE(posted_write(a, base, lines, now, step) == want);
        now += pick(lines * step + 1);
      }
      // The queues are left alike: later writes are posted at the same times.
      for (int i = 0; i < 200; ++i) {
        const uint64_t pa = pick(1u << 18) * 64;
        now += pick(2'000);
        REQUIRE(posted_write(a, pa, 1, now) == posted_write(b, pa, 1, now));
      }
    }
  });
}
