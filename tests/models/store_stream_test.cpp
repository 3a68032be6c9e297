// SPDX-License-Identifier: GPL-2.0-only
// Streams of stores applied by arithmetic (Cache::store_stream) against the
// same accesses applied line by line, on random geometries and random mixes
// of streams (consecutive lines, jumps of a multiple of every level's sets,
// arbitrary jumps) with loads, stores to held lines, the other core's
// stores, device reads and writes, and cache maintenance. Everything seen
// outside the cache must be the same: every observer event with its
// arguments and time, every access's delay, the cache's statistics, memory
// traffic and DRAM timing, and the arrays, looked at through the queries and
// through a final wbinvd, whose write-backs follow the order of the ways. An
// observer that takes a stream's events a run at a time must see each
// line's events in the same order.
#include "models/cache/store_stream.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench.h"
#include "models/cache/cache.h"
#include "models/memory/memory_controller.h"

using namespace iocsim;
using namespace iocsim::test;
using models::Cache;
using models::CacheMaintenance;

namespace {

struct EventLog : models::CoherenceObserver {
  explicit EventLog(bool in_order) : ordered(in_order) {}
  // Whether this log asks for a store stream's events line by line.
  bool ordered;
  std::vector<std::pair<uint64_t, std::string>> events;  // (line address, event)
  uint64_t runs = 0;  // runs shown at once

  bool needs_line_order() const override { return ordered; }
  void stores_streamed(const models::StreamedStores& run) override {
    ++runs;
    CoherenceObserver::stores_streamed(run);
  }
  static std::string text(const LineValue& v) {
    return fmt::format("v{}/o{}/t{}", v.version, v.owner, v.tag);
  }
  void add(uint64_t pa, std::string event) { events.emplace_back(pa, std::move(event)); }
  void cpu_store(uint64_t pa, const LineValue& v, Picos at) override {
    add(pa, fmt::format("store {:#x} {} @{}", pa, text(v), at));
  }
  void device_write_cached(uint64_t pa, const LineValue& v, Picos at) override {
    add(pa, fmt::format("ddio {:#x} {} @{}", pa, text(v), at));
  }
  void cpu_load(uint64_t pa, const LineValue& v, Picos at) override {
    add(pa, fmt::format("load {:#x} {} @{}", pa, text(v), at));
  }
  void cache_line_filled(uint64_t pa, const LineValue& v, Picos at) override {
    add(pa, fmt::format("fill {:#x} {} @{}", pa, text(v), at));
  }
  void cache_line_dropped(uint64_t pa, Picos at) override {
    add(pa, fmt::format("drop {:#x} @{}", pa, at));
  }
  void memory_write(uint64_t pa, const LineValue& v, models::MemoryWriter who,
                    Picos at) override {
    add(pa, fmt::format("memory {:#x} {} by {} @{}", pa, text(v), static_cast<int>(who), at));
  }
  // A run of write-backs: its lines' memory events, at the run's end (a
  // time by_line() leaves out).
  void memory_filled(uint64_t pa, uint64_t lines, const LineValue& v, models::MemoryWriter who,
                     Picos at) override {
    for (uint64_t i = 0; i < lines; ++i)
      add(pa + i * 64, fmt::format("memory {:#x} {} by {} @run{}", pa + i * 64, text(v),
                                   static_cast<int>(who), fill_ends.size()));
    fill_ends.push_back(at);
  }
  std::vector<Picos> fill_ends;  // each memory_filled's time, by run number
  // Each line's events in order: what must agree when the order across
  // lines may differ, and with it when a run's memory writes are shown
  // (their times are not given, only the run's end).
  // Whether each run of memory writes this log was shown ends when the last
  // of the same writes shown line by line in `lines` does.
  bool fills_end_as(const EventLog& lines) const {
    const auto mine = events_by_line(), theirs = lines.events_by_line();
    std::vector<Picos> last(fill_ends.size(), 0);
    for (const auto& [pa, events] : mine) {
      for (size_t j = 0; j < events.size(); ++j) {
        const size_t at = events[j].find(" @run");
        if (at == std::string::npos) continue;
        const size_t run = std::stoul(events[j].substr(at + 5));
        const std::string& line_event = theirs.at(pa).at(j);
        last[run] =
            std::max<Picos>(last[run], std::stoull(line_event.substr(line_event.rfind('@') + 1)));
      }
    }
    return last == fill_ends;
  }
  std::map<uint64_t, std::vector<std::string>> events_by_line() const {
    std::map<uint64_t, std::vector<std::string>> lines;
    for (const auto& [pa, event] : events) lines[pa].push_back(event);
    return lines;
  }
  std::map<uint64_t, std::vector<std::string>> by_line() const {
    std::map<uint64_t, std::vector<std::string>> lines;
    for (const auto& [pa, event] : events)
      lines[pa].push_back(event.rfind("memory", 0) == 0 ? event.substr(0, event.rfind(" @"))
                                                        : event);
    return lines;
  }
};

constexpr uint64_t kMemoryBytes = 8u << 20;
constexpr uint64_t kLines = kMemoryBytes / kLineBytes;

// DDR4-like timing, or (`fast`) a bus quicker than the stores, so that when
// each write-back is posted shows in when it is done. A short write queue
// on the DDR4-like one, which the stores fill: each request then waits for it.
models::MemoryConfig banked_memory(bool fast) {
  models::MemoryConfig c;
  c.size = kMemoryBytes;
  c.geometry = {2, 2, 2, 1024};
  c.timings = fast ? models::DramTimings{1'000, 1'000, 1'000, 3'000, 100}
                   : models::DramTimings{13'750, 13'750, 13'750, 32'000, 2'500};
  c.write_queue = fast ? 0 : 6;
  return c;
}

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> choices) {
  return *(choices.begin() + rng() % choices.size());
}

models::CacheConfig random_geometry(std::mt19937_64& rng) {
  models::CacheConfig c;
  const uint64_t llc_sets = pick<uint64_t>(rng, {4, 8, 12, 16, 32});
  c.ways = 1 + rng() % 5;
  c.size = llc_sets * c.ways * kLineBytes;
  c.hit_latency = 10'000;
  c.store_line = 333;
  c.wbinvd_line = 100;
  c.cores = 2;
  c.inclusive = rng() % 5 == 0;
  c.core_snoop = 20'000;
  c.ddio_ways = rng() % 4 == 0 ? 1 : 0;
  const uint64_t l2_sets = pick<uint64_t>(rng, {2, 4, 6, 8, 16}), l2_ways = 2 + rng() % 3;
  c.l2 = {l2_sets * l2_ways * kLineBytes, l2_ways, 3'000};
  if (rng() % 4 != 0) {
    const uint64_t l1_sets = pick<uint64_t>(rng, {1, 2, 4}), l1_ways = 1 + rng() % 3;
    c.l1d = {l1_sets * l1_ways * kLineBytes, l1_ways, 1'000};
  }
  return c;
}

// One cache with its memory and its initiators; two of these, one with the
// stream path and one without, take the same accesses.
struct Side {
  EventLog log;
  models::MemoryController memory;
  Cache cache;
  Initiator core0, core1, device;
  std::vector<Picos> delays;

  Side(const std::string& name, models::CacheConfig config, bool stream, bool fast_memory,
       bool ordered = true)
      : log(ordered),
        memory((name + "_memory").c_str(), banked_memory(fast_memory), &log),
        cache((name + "_cache").c_str(), with_stream(config, stream), &log),
        core0((name + "_core0").c_str()),
        core1((name + "_core1").c_str()),
        device((name + "_device").c_str()) {
    core0.socket.bind(cache.cpu_side);
    core1.socket.bind(cache.cpu_side);
    device.socket.bind(cache.snoop_side);
    cache.mem_side.bind(memory.socket);
  }
  static models::CacheConfig with_stream(models::CacheConfig c, bool stream) {
    c.stream_stores = stream;
    return c;
  }
  Initiator& core(int n) { return n == 0 ? core0 : core1; }
  Picos access(Initiator& who, tlm::tlm_command cmd, uint64_t line, std::vector<LineValue> lines,
               Picos now, CacheMaintenance* op = nullptr) {
    sc_core::sc_time d = models::from_picos(now);
    models::RequestAttributes device_attrs;
    device_attrs.initiator = models::Initiator::device;
    REQUIRE(who.access(cmd, line * kLineBytes, lines, d,
                       &who == &device ? &device_attrs : nullptr, op) == tlm::TLM_OK_RESPONSE);
    delays.push_back(ps(d));
    return ps(d);
  }
};

struct Pair {
  models::CacheConfig config;
  std::unique_ptr<Side> fast, slow;
};

std::string stats_text(const Side& s) {
  const models::CacheStats& c = s.cache.stats();
  const models::MemoryStats& m = s.memory.stats();
  const models::DramStats& d = s.memory.dram_stats();
  return fmt::format(
      "load {}/{} store {}/{} evict {} wb {} snoop {}/{}/{} maint {} wbinvd {} ddio {}/{} "
      "l1 {}/{} l2 {}/{} core snoops {} inval {} back {} | mem {}/{} | dram {}/{}/{} bus {}",
      c.load_hits, c.load_misses, c.store_hits, c.store_misses, c.evictions, c.writebacks,
      c.snoop_hits, c.snoop_misses, c.snoop_invalidations, c.maintenance_ops, c.wbinvds,
      c.ddio_updates, c.ddio_allocations, c.l1d.load_hits, c.l1d.load_misses, c.l2.load_hits,
      c.l2.load_misses, c.core_snoops, c.core_invalidations, c.back_invalidations, m.reads,
      m.writes, d.row_hits, d.row_misses, d.row_conflicts, d.bus_busy);
}

// What the queries say of every line the run touched, and the residency
// index of its page.
std::string arrays_text(const Side& s, const std::vector<uint64_t>& lines) {
  std::string out;
  for (uint64_t line : lines) {
    const uint64_t pa = line * kLineBytes;
    out += fmt::format("{:#x}:{}{}{}{}{}{}{} ", pa, s.cache.core_state(0, pa),
                       s.cache.core_state(1, pa), s.cache.in_llc(pa) ? 'L' : '-',
                       s.cache.dirty(pa) ? 'D' : '-', s.cache.held_in_arrays(pa) ? 'H' : '-',
                       s.cache.resident(pa) ? 'R' : '-', s.cache.lines_in_page(pa & ~4095ull));
  }
  return out;
}

// Runs the same random accesses on both sides of `p`.
void drive(Pair& p, uint64_t seed, std::vector<uint64_t>& touched) {
  std::mt19937_64 rng(seed);
  // A jump that keeps a stream going: a multiple of every level's sets.
  uint64_t period = p.config.size / kLineBytes / p.config.ways;
  for (const auto* level : {&p.config.l1d, &p.config.l2})
    if (level->size) period = std::lcm(period, level->size / kLineBytes / level->ways);
  uint64_t next = rng() % kLines, version = 1;
  Picos now = 0;
  std::vector<uint64_t> recent;
  auto recent_line = [&] {
    return recent.empty() ? rng() % kLines : recent[rng() % recent.size()];
  };
  for (int op = 0; op < 600; ++op) {
    const unsigned kind = rng() % 100;
    Picos fast = 0, slow = 0;
    auto both = [&](auto&& fn) {
      fast = fn(*p.fast);
      slow = fn(*p.slow);
      REQUIRE(fast == slow);
      now = fast;
    };
    if (kind < 72) {
      // A run of stores by core 0, continuing the stream most of the time.
      const unsigned how = rng() % 10;
      if (how == 8) next = (next + period * (1 + rng() % 64)) % kLines;
      if (how == 9) next = rng() % kLines;
      const uint64_t count = std::min<uint64_t>(1 + rng() % 96, kLines - next);
      std::vector<LineValue> values(count, LineValue{version, 1, 0});
      if (rng() % 8 == 0)
        for (auto& v : values) v.version = ++version;
      ++version;
      for (uint64_t i = 0; i < count; ++i) recent.push_back(next + i);
      both([&](Side& s) { return s.access(s.core0, tlm::TLM_WRITE_COMMAND, next, values, now); });
      next = (next + count) % kLines;
    } else if (kind < 78) {
      const int core = static_cast<int>(rng() % 2);
      const uint64_t line = recent_line();
      both([&](Side& s) {
        return s.access(s.core(core), tlm::TLM_READ_COMMAND, line, std::vector<LineValue>(1), now);
      });
    } else if (kind < 84) {
      // A store by either core to a line the stream stored, or anywhere.
      const int core = static_cast<int>(rng() % 2);
      const uint64_t line = rng() % 2 ? recent_line() : rng() % kLines;
      recent.push_back(line);
      const std::vector<LineValue> value{{++version, 2, 0}};
      both([&](Side& s) {
        return s.access(s.core(core), tlm::TLM_WRITE_COMMAND, line, value, now);
      });
    } else if (kind < 90) {
      const uint64_t line = recent_line();
      const bool write = rng() % 2;
      const std::vector<LineValue> value{{++version, 3, 0}};
      both([&](Side& s) {
        return s.access(s.device, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, line,
                        value, now);
      });
    } else if (kind < 97) {
      const uint64_t line = recent_line();
      const CacheOp op = pick(rng, {CacheOp::clflush, CacheOp::clflushopt, CacheOp::clwb});
      both([&](Side& s) {
        CacheMaintenance m;
        m.op = op;
        return s.access(s.core0, tlm::TLM_IGNORE_COMMAND, line, std::vector<LineValue>(1), now, &m);
      });
    } else if (kind < 98) {
      both([&](Side& s) {
        CacheMaintenance m;
        m.op = CacheOp::wbinvd;
        return s.access(s.core0, tlm::TLM_IGNORE_COMMAND, 0, std::vector<LineValue>(1), now, &m);
      });
    } else {
      // A look at the arrays in the middle of a stream.
      const uint64_t line = recent_line();
      REQUIRE(arrays_text(*p.fast, {line}) == arrays_text(*p.slow, {line}));
    }
  }
  touched = recent;
}

}  // namespace

TEST_CASE("a stream of stores applied by arithmetic leaves everything as line by line would") {
  constexpr int kGeometries = 48;
  std::mt19937_64 rng(20261125);
  std::vector<Pair> pairs;
  for (int g = 0; g < kGeometries; ++g) {
    Pair p;
    p.config = random_geometry(rng);
    // Every other fast side takes a stream's events a run at a time.
    // and every third has a memory quicker than the stores.
    const bool fast_memory = g % 3 == 0;
    p.fast = std::make_unique<Side>(fmt::format("fast{}", g), p.config, true, fast_memory,
                                    g % 2 == 0);
    p.slow = std::make_unique<Side>(fmt::format("slow{}", g), p.config, false, fast_memory);
    pairs.push_back(std::move(p));
  }
  uint64_t geometries_streamed = 0, lines_streamed = 0, runs_shown = 0, fills_shown = 0;
  run_bench([&] {
    for (size_t g = 0; g < pairs.size(); ++g) {
      Pair& p = pairs[g];
      INFO("geometry " << g << ": LLC " << p.config.size << " B " << p.config.ways << "-way, L2 "
                       << p.config.l2.size << " B " << p.config.l2.ways << "-way, L1D "
                       << p.config.l1d.size << " B " << (p.config.l1d.size ? p.config.l1d.ways : 0)
                       << "-way, " << (p.config.inclusive ? "inclusive" : "non-inclusive")
                       << ", DDIO ways " << p.config.ddio_ways);
      std::vector<uint64_t> touched;
      drive(p, 1000 + g, touched);
      CHECK(p.slow->cache.streamed_lines() == 0);
      lines_streamed += p.fast->cache.streamed_lines();
      geometries_streamed += p.fast->cache.streamed_lines() > 0;
      CHECK(arrays_text(*p.fast, touched) == arrays_text(*p.slow, touched));
      // A final wbinvd writes every dirty line back in the order of the ways.
      Picos end_fast = 0, end_slow = 0;
      for (auto [side, end] : {std::pair{p.fast.get(), &end_fast}, {p.slow.get(), &end_slow}}) {
        CacheMaintenance m;
        m.op = CacheOp::wbinvd;
        *end = side->access(side->core0, tlm::TLM_IGNORE_COMMAND, 0, std::vector<LineValue>(1),
                            side->delays.back(), &m);
      }
      CHECK(end_fast == end_slow);
      if (p.fast->log.ordered) {
        CHECK(p.fast->log.runs == 0);
        CHECK(p.fast->log.events == p.slow->log.events);
      } else {
        runs_shown += p.fast->log.runs;
        fills_shown += p.fast->log.fill_ends.size();
        CHECK(p.fast->log.fills_end_as(p.slow->log));
        CHECK(p.fast->log.events.size() == p.slow->log.events.size());
        CHECK(p.fast->log.by_line() == p.slow->log.by_line());
      }
      CHECK(p.fast->delays == p.slow->delays);
      CHECK(stats_text(*p.fast) == stats_text(*p.slow));
    }
  });
  // The mixes must have exercised the stream path, on most geometries it handles.
  CHECK(geometries_streamed >= kGeometries / 2);
  CHECK(lines_streamed > 20'000);
  CHECK(runs_shown > 100);
  CHECK(fills_shown > 100);
}

TEST_CASE("a store stream keeps the window's lines with their values and where they were") {
  models::StoreStream s(8, 4);
  s.add(0, 16, {1, 1, 0});
  s.add(0, 17, {1, 1, 0});
  CHECK(s.continues(0, 18));
  CHECK(s.continues(0, 26));  // one period further: the sets still follow on
  CHECK_FALSE(s.continues(0, 19));
  CHECK_FALSE(s.continues(1, 18));
  s.add(0, 26, {2, 1, 0});
  s.add(0, 27, {3, 1, 0});
  CHECK(s.full());
  const auto where = s.snapshot();
  s.add(0, 28, {3, 1, 0});  // the window keeps four lines: line 16 leaves
  CHECK(s.length() == 5);
  CHECK_THROWS_AS(s.line_at(0), std::logic_error);
  CHECK(s.line_at(1) == 17);
  CHECK(s.line_at(2) == 26);
  CHECK(s.value_at(4).version == 3);
  CHECK(where.index_of(16) == 0);
  CHECK(where.index_of(27) == 3);
  CHECK_THROWS_AS(where.index_of(18), std::logic_error);
  const auto [line, value] = s.take_oldest();
  CHECK(line == 17);
  CHECK(value.version == 1);
  s.add(1, 40, {4, 1, 0});  // another core: a new stream
  CHECK(s.length() == 1);
  CHECK(s.line_at(0) == 40);
  s.end();
  CHECK(s.length() == 0);
  CHECK_FALSE(s.continues(1, 41));
}

TEST_CASE("a store stream finds every index and line, whichever it looked up before") {
  // run_at and index_of start from where their last lookup landed; that
  // position must never answer for a line elsewhere, however the runs have
  // moved since (taken off the front, grown at the back) or in whatever
  // order the lookups come.
  constexpr uint64_t kWindow = 64;
  models::StoreStream s(1 << 20, kWindow);
  std::deque<std::pair<uint64_t, uint64_t>> kept;  // (line, version) of the window, oldest first
  std::mt19937_64 rng(7);
  uint64_t line = 0, version = 1, first_index = 0;
  auto shuffled_positions = [&] {
    std::vector<uint64_t> order(kept.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    return order;
  };
  auto check_all = [&] {
    for (uint64_t k : shuffled_positions()) {
      CHECK(s.line_at(first_index + k) == kept[k].first);
      CHECK(s.value_at(first_index + k).version == kept[k].second);
    }
  };
  for (int step = 0; step < 200; ++step) {
    // A run of 1 to 8 lines of one value, some runs continuing the last value.
    const uint64_t count = 1 + rng() % 8;
    if (rng() % 3) ++version;
    for (uint64_t i = 0; i < count; ++i) {
      s.add(0, line, {version, 1, 0});
      kept.emplace_back(line++, version);
      if (kept.size() > kWindow) {
        kept.pop_front();
        ++first_index;
      }
    }
    check_all();
    if (s.full() && rng() % 2) {
      const auto where = s.snapshot();
      for (uint64_t k : shuffled_positions())
        CHECK(where.index_of(kept[k].first) == first_index + k);
      CHECK_THROWS_AS(where.index_of(line), std::logic_error);
      const models::StoreStream::Lines taken = s.take_oldest_lines(1 + rng() % 4);
      for (uint64_t i = 0; i < taken.count; ++i) {
        CHECK(kept.front().first == taken.line + i);
        kept.pop_front();
        ++first_index;
      }
      check_all();
      CHECK_THROWS_AS(s.line_at(first_index - 1), std::logic_error);
    }
  }
}
