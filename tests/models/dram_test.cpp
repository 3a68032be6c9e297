// SPDX-License-Identifier: GPL-2.0-only
// DRAM bank and bus timing, with DDR4-3200AA numbers (docs/hardware-parameters.md 4.1).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "models/memory/dram_timing.h"

using namespace iocsim;
using models::DramTiming;

namespace {

constexpr Picos tCL = 13'750, tRCD = 13'750, tRP = 13'750, tRAS = 32'000, kBurst = 2'500;
constexpr uint64_t kRow = 8192;

// One channel of 4 x 4 banks, or `channels` of them.
DramTiming ddr4(uint64_t channels = 1) {
  return DramTiming({channels, 4, 4, kRow}, {tCL, tRCD, tRP, tRAS, kBurst});
}

// The address of line `line` of row `row` of bank rotation slot `slot` in a
// one-channel system: rows rotate over the 16 banks.
uint64_t addr(uint64_t row, uint64_t slot, uint64_t line = 0) {
  return (row * 16 + slot) * kRow + line * 64;
}

}  // namespace

TEST_CASE("an idle read opens its row: tRCD + tCL + burst") {
  DramTiming d = ddr4();
  CHECK(d.access(0, 0) == tRCD + tCL + kBurst);  // 30 ns, docs/hardware-parameters.md 4.1
  CHECK(d.stats().row_misses == 1);
}

TEST_CASE("a read of the open row costs only tCL and the burst") {
  DramTiming d = ddr4();
  const Picos first = d.access(addr(0, 0, 0), 0);
  const Picos later = 1'000'000;
  CHECK(d.access(addr(0, 0, 5), later) == later + tCL + kBurst);
  CHECK(first == tRCD + tCL + kBurst);
  CHECK(d.stats().row_hits == 1);
}

TEST_CASE("two requests to different rows of one bank serialize by tRC") {
  DramTiming d = ddr4();
  d.access(addr(0, 3), 0);                     // ACTIVATE at 0
  const Picos second = d.access(addr(1, 3), 0);
  // PRECHARGE waits for tRAS after the ACTIVATE, then tRP, tRCD, tCL, burst:
  // the second ACTIVATE is tRC = tRAS + tRP after the first.
  CHECK(second == tRAS + tRP + tRCD + tCL + kBurst);
  CHECK(d.stats().row_conflicts == 1);
  const auto a = d.locate(addr(0, 3)), b = d.locate(addr(1, 3));
  CHECK(a.bank == b.bank);
  CHECK(a.row + 1 == b.row);
}

TEST_CASE("requests to different banks overlap and share only the bus") {
  DramTiming d = ddr4();
  const Picos one = d.access(addr(0, 0), 0);
  const Picos two = d.access(addr(0, 1), 0);
  CHECK(one == tRCD + tCL + kBurst);
  CHECK(two == one + kBurst);  // both banks opened at once; the data queue on the bus
  CHECK(d.stats().bus_busy == 2 * kBurst);
}

TEST_CASE("a sequential stream hits the open row, at one burst per line") {
  DramTiming d = ddr4();
  Picos last = 0;
  for (uint64_t line = 0; line < kRow / 64; ++line) last = d.access(line * 64, 0);
  CHECK(last == tRCD + tCL + (kRow / 64) * kBurst);
  CHECK(d.stats().row_misses == 1);
  CHECK(d.stats().row_hits == kRow / 64 - 1);
}

TEST_CASE("lines interleave over channels, which transfer in parallel") {
  DramTiming d = ddr4(2);
  CHECK(d.locate(0).channel == 0);
  CHECK(d.locate(64).channel == 1);
  CHECK(d.locate(128).channel == 0);
  CHECK(d.locate(128).row == d.locate(0).row);
  CHECK(d.access(0, 0) == d.access(64, 0));  // each on its own channel's bus
}

TEST_CASE("consecutive rows of a channel rotate over bank groups first") {
  DramTiming d = ddr4();
  CHECK(d.locate(addr(0, 0)).bank == 0);
  CHECK(d.locate(addr(0, 1)).bank == 4);   // group 1, bank 0
  CHECK(d.locate(addr(0, 4)).bank == 1);   // group 0, bank 1
  CHECK(d.locate(addr(0, 15)).bank == 15);
  CHECK(d.locate(addr(1, 0)).bank == 0);
  CHECK(d.locate(addr(1, 0)).row == 1);
}

TEST_CASE("the address mapping is the same with shifts (powers of two) as with divisions") {
  // The mapping as the model documents it, written out with divisions.
  auto reference = [](const models::DramGeometry& g, uint64_t pa) {
    const uint64_t line = pa / 64, row_index = line / g.channels / (g.row_bytes / 64);
    const uint64_t banks = g.bank_groups * g.banks_per_group, row = row_index / banks;
    uint64_t n = row_index % banks;
    if (g.bank_hash) n = (banks & (banks - 1)) == 0 ? n ^ (row % banks) : (n + row) % banks;
    return models::DramLocation{line % g.channels,
                                (n % g.bank_groups) * g.banks_per_group + n / g.bank_groups, row};
  };
  std::mt19937_64 random(7);
  std::vector<models::DramGeometry> geometries;
  for (bool hash : {false, true})
    for (models::DramGeometry g :
         {models::DramGeometry{2, 4, 4, 8192}, models::DramGeometry{16, 8, 4, 4096},
          models::DramGeometry{8, 4, 4, 8192}, models::DramGeometry{3, 4, 4, 8192},
          models::DramGeometry{2, 3, 4, 1024 * 3}, models::DramGeometry{1, 3, 1, 8192}}) {
      g.bank_hash = hash;
      geometries.push_back(g);
    }
  for (const models::DramGeometry& g : geometries) {
    const DramTiming d(g, {tCL, tRCD, tRP, tRAS, kBurst});
    for (int i = 0; i < 10000; ++i) {
      const uint64_t pa = random() & ((1ull << 44) - 64);
      const models::DramLocation want = reference(g, pa), got = d.locate(pa);
      REQUIRE(got.channel == want.channel);
      REQUIRE(got.bank == want.bank);
      REQUIRE(got.row == want.row);
    }
  }
}

TEST_CASE("with bank hashing, rows a whole bank rotation apart are in different banks") {
  // Two streams 16 rows apart (a 2 MiB folio apart on the default preset),
  // taking turns: in one bank every access closes the other stream's row.
  auto turns = [](bool hash) {
    DramTiming d({1, 4, 4, kRow, hash}, {tCL, tRCD, tRP, tRAS, kBurst});
    Picos t = 0;
    for (uint64_t k = 0; k < 8; ++k)
      for (uint64_t row : {0, 1}) t = d.access(addr(row, 3, k), t);
    return std::pair{d.stats(), d.locate(addr(0, 3)).bank != d.locate(addr(1, 3)).bank};
  };
  const auto [plain, plain_apart] = turns(false);
  CHECK_FALSE(plain_apart);
  CHECK(plain.row_conflicts == 15);
  const auto [hashed, hashed_apart] = turns(true);
  CHECK(hashed_apart);
  CHECK(hashed.row_conflicts == 0);
  CHECK(hashed.row_misses == 2);
  CHECK(hashed.row_hits == 14);
  // Consecutive rows still visit every bank once per rotation.
  DramTiming d({1, 4, 4, kRow, true}, {tCL, tRCD, tRP, tRAS, kBurst});
  for (uint64_t row : {0, 1, 5}) {
    std::vector<bool> seen(16);
    for (uint64_t slot = 0; slot < 16; ++slot) seen[d.locate(addr(row, slot)).bank] = true;
    CHECK(std::count(seen.begin(), seen.end(), true) == 16);
  }
}

TEST_CASE("a DRAM geometry without banks or with partial-line rows is refused") {
  CHECK_THROWS_AS(DramTiming({0, 1, 1, kRow}, {}), std::invalid_argument);
  CHECK_THROWS_AS(DramTiming({1, 1, 1, 100}, {}), std::invalid_argument);
}

TEST_CASE("a run of lines at a fixed spacing is timed as line by line, on random geometries") {
  std::mt19937_64 random(11);
  auto pick = [&](uint64_t n) { return random() % n; };
  const std::vector<models::DramGeometry> geometries{
      {2, 4, 4, 8192}, {1, 4, 4, 8192}, {8, 8, 4, 2048}, {3, 4, 4, 8192}, {2, 3, 2, 64 * 12}};
  for (int trial = 0; trial < 400; ++trial) {
    models::DramGeometry g = geometries[pick(geometries.size())];
    g.bank_hash = pick(2);
    const models::DramTimings t{pick(20'000), pick(20'000), pick(20'000), pick(50'000),
                                1 + pick(5'000)};
    DramTiming by_run(g, t), by_line(g, t);
    // The same history for both: random accesses, some in the run's rows.
    const uint64_t base = pick(1u << 20) * 64;
    Picos now = pick(1'000'000);
    for (int i = 0, n = static_cast<int>(pick(50)); i < n; ++i) {
      const uint64_t pa = pick(2) ? base + pick(1u << 16) * 64 : pick(1u << 26) * 64;
      now += pick(10'000);
      REQUIRE(by_run.access(pa, now) == by_line.access(pa, now));
    }
    const uint64_t lines = 1 + pick(pick(2) ? 64 : 6000);
    const Picos arrive = now + pick(20'000) - pick(10'000), step = pick(8'000);
    Picos want = arrive;
    for (uint64_t i = 0; i < lines; ++i)
      want = std::max(want, by_line.access(base + i * 64, arrive + i * step));
    INFO("trial " << trial << ", " << lines << " lines, step " << step);
    REQUIRE(by_run.access_run(base, lines, arrive, step) == want);
    CHECK(by_run.stats().row_hits == by_line.stats().row_hits);
    CHECK(by_run.stats().row_misses == by_line.stats().row_misses);
    CHECK(by_run.stats().row_conflicts == by_line.stats().row_conflicts);
    CHECK(by_run.stats().bus_busy == by_line.stats().bus_busy);
    // The banks and buses are left alike: later accesses (to the run's last
    // rows, and anywhere) finish at the same times.
    for (int i = 0; i < 300; ++i) {
      const uint64_t pa =
          pick(2) ? base + (lines - 1 - pick(std::min<uint64_t>(lines, 4096))) * 64
                  : pick(1u << 26) * 64;
      const Picos at = want - pick(want / 2 + 1) + pick(20'000);
      REQUIRE(by_run.access(pa, at) == by_line.access(pa, at));
    }
  }
}
