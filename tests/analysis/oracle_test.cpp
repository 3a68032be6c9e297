// SPDX-License-Identifier: GPL-2.0-only
// Exposure windows and realized hazards from hand-built event sequences.
#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "analysis/oracle.h"

using namespace iocsim;
using analysis::HazardKind;
using analysis::Oracle;
using models::MemoryWriter;

namespace {

constexpr uint64_t PA = 0x10000;       // one page
constexpr uint32_t GPU = 1, NIC = 2;   // streams
constexpr OwnerId A = 1, B = 2;

// A non-coherent domain 7 with the GPU (owned by B) attached, mapping PA at iova 0.
Oracle exposed_page(uint64_t at) {
  Oracle o;
  o.register_device(GPU, B);
  o.domain_created(7);
  o.device_attached(7, GPU, 0);
  o.translation_mapped(7, 0, PA, 4096, true, true, at);
  return o;
}

}  // namespace

TEST_CASE("a window opens when stale memory becomes reachable and closes when written back") {
  Oracle o;
  o.register_device(GPU, B);
  o.memory_write(PA, {1, A, 0}, MemoryWriter::writeback, 5);  // A's data in DRAM
  o.cpu_store(PA, {2, kNobody, 0}, 10);               // zeroes in the cache only
  o.domain_created(7);
  o.device_attached(7, GPU, 12);
  o.translation_mapped(7, 0, PA, 4096, true, true, 20);
  o.memory_write(PA, {2, kNobody, 0}, MemoryWriter::writeback, 50);
  o.finish(100);
  REQUIRE(o.windows().size() == 1);
  const auto& w = o.windows()[0];
  CHECK(w.kind == HazardKind::leak);  // A's data, and the GPU belongs to B
  CHECK(w.owner == A);
  CHECK(w.pa == PA);
  CHECK(w.size == 64);
  CHECK(w.start == 20);
  CHECK(w.end == 50);
  CHECK_FALSE(w.realized());
  CHECK_FALSE(w.open_at_end);
  CHECK(o.max_window() == 30);
}

TEST_CASE("a coherent domain, an unreadable mapping, or no device means no window") {
  Oracle o;
  o.register_device(GPU, B);
  o.cpu_store(PA, {2, kNobody, 0}, 10);
  o.domain_created(7);
  o.coherency_enforced(7, 0);
  o.device_attached(7, GPU, 0);
  o.translation_mapped(7, 0, PA, 4096, true, true, 20);
  o.domain_created(8);
  o.translation_mapped(8, 0, PA, 4096, true, true, 20);  // no device attached
  o.domain_created(9);
  o.device_attached(9, NIC, 0);
  o.translation_mapped(9, 0, PA, 4096, false, true, 20);  // not readable
  o.finish(100);
  CHECK(o.windows().empty());
}

TEST_CASE("realized reads are counted per access and mark their window") {
  Oracle o = exposed_page(0);
  o.cpu_store(PA, {5, B, 0}, 10);  // B's newest data, cached
  const models::DeviceAccess stale{GPU, 7, 0, PA, false, false, LineValue{}, 30};
  o.device_access(stale);
  o.device_access(stale);
  models::DeviceAccess fresh = stale;
  fresh.value = {5, B, 0};
  fresh.snooped = true;
  o.device_access(fresh);
  CHECK(o.counts().stale_device_reads == 2);
  CHECK(o.counts().leaks == 0);  // the stale data are nobody's
  o.finish(100);
  REQUIRE(o.windows().size() == 1);
  CHECK(o.windows()[0].kind == HazardKind::stale_device_read);
  CHECK(o.windows()[0].realized());
  CHECK(o.windows()[0].open_at_end);
  CHECK(o.windows()[0].start == 10);
  CHECK(o.windows()[0].end == 100);
  CHECK(o.realized_outside_windows() == 0);
}

TEST_CASE("reading another principal's stale data is a leak") {
  Oracle o = exposed_page(0);
  o.memory_write(PA + 64, {1, A, 0}, MemoryWriter::writeback, 1);
  o.cpu_store(PA + 64, {2, B, 0}, 2);
  o.device_access({GPU, 7, 64, PA + 64, false, false, LineValue{1, A, 0}, 3});
  CHECK(o.counts().leaks == 1);
  CHECK(o.counts().disclosures == 1);  // every leak is a disclosure
  CHECK(o.counts().stale_device_reads == 1);
}

TEST_CASE("another principal's newest data read through a stale IOTLB entry are a disclosure") {
  Oracle o = exposed_page(0);  // the GPU belongs to B
  o.translation_unmapped(7, 0, PA, 4096, 10);
  o.iotlb_entry_stale(7, 0, PA, 4096, true, 10);
  o.memory_write(PA + 64, {3, A, 0}, MemoryWriter::writeback, 20);  // A's data, newest in DRAM
  models::DeviceAccess read{GPU, 7, 64, PA + 64, false, false, LineValue{3, A, 0}, 30};
  read.stale_translation = true;
  o.device_access(read);
  // B's own data are not disclosed, whatever the path.
  o.memory_write(PA + 128, {4, B, 0}, MemoryWriter::writeback, 31);
  read.iova = 128;
  read.pa = PA + 128;
  read.value = {4, B, 0};
  o.device_access(read);
  CHECK(o.counts().disclosures == 1);
  CHECK(o.counts().leaks == 0);  // the newest data: not stale
  CHECK(o.counts().stale_device_reads == 0);
  CHECK(o.counts().stale_iotlb_accesses == 2);
  o.iotlb_entry_dropped(7, 0, 40);
  o.finish(50);
  CHECK(o.realized_outside_windows() == 0);
  REQUIRE(o.windows().size() == 2);
  const analysis::Window& entry = o.windows()[0];
  CHECK(entry.kind == HazardKind::stale_iotlb_access);
  CHECK(entry.owner == A);  // whose data its first access read
  CHECK(entry.hits == 2);
  const analysis::Window& disclosure = o.windows()[1];  // closed as the entry went
  CHECK(disclosure.kind == HazardKind::disclosure);
  CHECK(disclosure.owner == A);
  CHECK(disclosure.pa == PA + 64);
  CHECK(disclosure.size == 64);
  CHECK(disclosure.start == 20);
  CHECK(disclosure.end == 40);
  CHECK(disclosure.hits == 1);
}

TEST_CASE("a mapping of another principal's data opens a disclosure window, a stale copy a leak") {
  Oracle o = exposed_page(0);
  o.memory_write(PA, {1, A, 0}, MemoryWriter::writeback, 5);  // A's data, newest
  o.cpu_store(PA, {2, A, 0}, 10);  // newer data of A's, cached: DRAM's are stale
  o.memory_write(PA, {2, A, 0}, MemoryWriter::writeback, 15);
  o.finish(20);
  REQUIRE(o.windows().size() == 3);
  CHECK(o.windows()[0].kind == HazardKind::disclosure);
  CHECK(o.windows()[0].start == 5);
  CHECK(o.windows()[0].end == 10);
  CHECK(o.windows()[1].kind == HazardKind::leak);
  CHECK(o.windows()[1].start == 10);
  CHECK(o.windows()[1].end == 15);
  CHECK(o.windows()[2].kind == HazardKind::disclosure);
  CHECK(o.windows()[2].start == 15);
  CHECK(o.windows()[2].open_at_end);
}

TEST_CASE("the windows of a page's lines make one run, whichever of them were hit") {
  Oracle o = exposed_page(0);
  for (uint64_t line = 0; line < 64; ++line)
    o.cpu_store(PA + line * 64, {line + 1, kNobody, 0}, 10);
  o.device_access({GPU, 7, 64 * 5, PA + 64 * 5, false, false, LineValue{}, 11});
  o.device_access({GPU, 7, 64 * 5, PA + 64 * 5, false, false, LineValue{}, 12});
  o.device_access({GPU, 7, 64 * 9, PA + 64 * 9, false, false, LineValue{}, 14});
  o.translation_unmapped(7, 0, PA, 4096, 40);
  REQUIRE(o.windows().size() == 1);
  const analysis::Window& run = o.windows()[0];
  CHECK(run.pa == PA);
  CHECK(run.iova == 0);
  CHECK(run.size == 4096);
  CHECK(run.windows == 64);
  CHECK(run.realized_windows == 2);
  CHECK(run.hits == 3);
  CHECK(run.first_hit == 11);
  CHECK(run.quickest_hit == 1);
  CHECK(run.start == 10);
  CHECK(run.end == 40);
  CHECK(run.longest == 30);
}

TEST_CASE("a device joining a domain later gets its window from when it joined") {
  Oracle o = exposed_page(0);
  o.register_device(NIC, A);
  o.cpu_store(PA, {3, kNobody, 0}, 10);
  o.device_attached(7, NIC, 25);
  o.device_detached(7, GPU, 30);
  o.finish(60);
  REQUIRE(o.windows().size() == 2);
  CHECK(o.windows()[0].stream_id == GPU);
  CHECK(o.windows()[0].start == 10);
  CHECK(o.windows()[0].end == 30);
  CHECK(o.windows()[1].stream_id == NIC);
  CHECK(o.windows()[1].start == 25);
  CHECK(o.windows()[1].end == 60);
}

TEST_CASE("a device write behind a clean cached copy opens a stale CPU read window") {
  Oracle o;
  o.cache_line_filled(PA, {1, A, 0}, 5);                        // the CPU read the line
  o.memory_write(PA, {2, B, 0}, MemoryWriter::device, 20);       // a No-Snoop device write
  o.device_access({GPU, 7, 0x40, PA, true, false, LineValue{2, B, 0}, 20});
  o.cpu_load(PA, {1, A, 0}, 30);                                 // still the old copy
  o.cpu_load(PA, {1, A, 0}, 35);
  o.cache_line_dropped(PA, 50);                                  // clflush
  o.cpu_load(PA, {2, B, 0}, 60);                                 // refetched: fresh
  o.finish(100);
  CHECK(o.counts().stale_cpu_reads == 2);
  CHECK(o.counts().lost_writes == 0);
  REQUIRE(o.windows().size() == 1);
  const auto& w = o.windows()[0];
  CHECK(w.kind == HazardKind::stale_cpu_read);
  CHECK(w.stream_id == GPU);
  CHECK(w.iova == 0x40);
  CHECK(w.owner == B);  // the device's data is what the CPU does not see
  CHECK(w.start == 20);
  CHECK(w.end == 50);
  CHECK(w.hits == 2);
  CHECK(w.first_hit == 30);
  CHECK(o.realized_outside_windows() == 0);
}

TEST_CASE("a dirty cached copy older than a device write is a lost write waiting to happen") {
  Oracle o;
  o.cpu_store(PA, {1, A, 0}, 1);
  o.memory_write(PA, {2, B, 0}, MemoryWriter::device, 2);  // No-Snoop device write
  o.device_access({GPU, 7, 0, PA, true, false, LineValue{2, B, 0}, 2});
  CHECK(o.newest(PA).version == 2);
  o.cpu_load(PA, {1, A, 0}, 3);  // the cache still holds the older copy
  CHECK(o.counts().stale_cpu_reads == 1);
  o.memory_write(PA, {1, A, 0}, MemoryWriter::writeback, 4);  // evicted
  o.cache_line_dropped(PA, 4);
  CHECK(o.counts().lost_writes == 1);
  CHECK(o.in_memory(PA).version == 1);
  o.finish(10);
  REQUIRE(o.windows().size() == 2);
  const auto& lost = o.windows()[0].kind == HazardKind::lost_write ? o.windows()[0]
                                                                      : o.windows()[1];
  const auto& hidden = o.windows()[0].kind == HazardKind::lost_write ? o.windows()[1]
                                                                        : o.windows()[0];
  CHECK(lost.kind == HazardKind::lost_write);
  CHECK(lost.start == 2);
  CHECK(lost.end == 4);
  CHECK(lost.hits == 1);
  CHECK(hidden.kind == HazardKind::stale_cpu_read);
  CHECK(hidden.end == 4);
  CHECK(hidden.hits == 1);
  CHECK(o.realized_outside_windows() == 0);
}

TEST_CASE("clwb cleans a dirty line: the lost-write window closes, the stale one stays") {
  Oracle o;
  o.cpu_store(PA, {1, A, 0}, 1);
  o.memory_write(PA, {1, A, 0}, MemoryWriter::writeback, 2);  // clwb: still cached, clean
  o.memory_write(PA, {2, B, 0}, MemoryWriter::device, 3);
  o.finish(10);
  REQUIRE(o.windows().size() == 1);
  CHECK(o.windows()[0].kind == HazardKind::stale_cpu_read);
  CHECK(o.windows()[0].open_at_end);
}

TEST_CASE("cleaning the last copy of a page kept line by line leaves it clean and readable") {
  // Two lines of one page holding different values make the oracle keep the
  // page's copies line by line; with one left, its write-back makes the page
  // one value again (which once freed the copy memory_write still read:
  // AddressSanitizer's heap-use-after-free in the sanitizer build).
  Oracle o;
  o.cpu_store(PA, {1, A, 0}, 1);
  o.cpu_store(PA + 64, {2, A, 0}, 2);
  o.cache_line_dropped(PA, 3);
  o.memory_write(PA + 64, {2, A, 0}, MemoryWriter::writeback, 4);  // clwb
  o.memory_write(PA + 64, {3, B, 0}, MemoryWriter::device, 5);
  o.cpu_load(PA + 64, {2, A, 0}, 6);
  o.finish(10);
  CHECK(o.counts().stale_cpu_reads == 1);
  REQUIRE(o.windows().size() == 1);  // clean: no lost write waiting
  CHECK(o.windows()[0].kind == HazardKind::stale_cpu_read);
  CHECK(o.windows()[0].start == 5);
  CHECK(o.windows()[0].open_at_end);
}

TEST_CASE("a snooped device write invalidates the copy first: no CPU-side window") {
  Oracle o;
  o.cpu_store(PA, {1, A, 0}, 1);
  o.cache_line_dropped(PA, 2);
  o.memory_write(PA, {2, B, 0}, MemoryWriter::device, 2);
  o.finish(10);
  CHECK(o.windows().empty());
}

TEST_CASE("a snooped read in a coherent domain returns the stale cached copy a device write left") {
  Oracle o;
  o.register_device(NIC, B);
  o.domain_created(9);
  o.coherency_enforced(9, 0);
  o.device_attached(9, NIC, 0);
  o.translation_mapped(9, 0, PA, 4096, true, true, 0);
  o.cpu_store(PA, {1, A, 0}, 5);                               // dirty in the cache
  o.memory_write(PA, {2, B, 0}, MemoryWriter::device, 10);     // another device's No-Snoop write
  o.device_access({NIC, 9, 0, PA, false, true, LineValue{1, A, 0}, 20});  // the snoop's answer
  o.cache_line_dropped(PA, 30);                                // flushed: the snoop now misses
  o.device_access({NIC, 9, 0, PA, false, true, LineValue{2, B, 0}, 40});
  o.finish(50);
  CHECK(o.counts().stale_device_reads == 1);
  CHECK(o.counts().leaks == 1);  // A's data, and the NIC belongs to B
  CHECK(o.realized_outside_windows() == 0);
  // Before the device write the NIC could read A's newest data: a disclosure.
  const auto device_side = std::find_if(o.windows().begin(), o.windows().end(),
                                        [](const auto& w) { return w.stream_id == NIC; });
  REQUIRE(device_side != o.windows().end());
  CHECK(device_side->kind == HazardKind::disclosure);
  CHECK(device_side->start == 5);
  CHECK(device_side->end == 10);
  const auto leak = std::find_if(o.windows().begin(), o.windows().end(),
                                 [](const auto& w) { return w.kind == HazardKind::leak; });
  REQUIRE(leak != o.windows().end());
  CHECK(leak->stream_id == NIC);
  CHECK(leak->start == 10);
  CHECK(leak->end == 30);
  CHECK(leak->hits == 1);
}

TEST_CASE("a device write kept in the cache (DDIO) leaves DRAM stale for No-Snoop readers") {
  Oracle o = exposed_page(0);  // the GPU reaches PA with No-Snoop
  o.device_write_cached(PA, {4, A, 0}, 10);  // a coherent NIC's write, held dirty by the LLC
  CHECK(o.newest(PA).version == 4);
  CHECK(o.in_memory(PA).version == 0);
  o.device_access({GPU, 7, 0, PA, false, false, LineValue{}, 20});  // the GPU reads DRAM
  o.memory_write(PA, {4, A, 0}, MemoryWriter::writeback, 30);  // evicted at last
  o.finish(40);
  CHECK(o.counts().stale_device_reads == 1);
  CHECK(o.realized_outside_windows() == 0);
  REQUIRE(o.windows().size() == 2);
  CHECK(o.windows()[0].kind == HazardKind::stale_device_read);  // DRAM's zeroes
  CHECK(o.windows()[0].start == 10);
  CHECK(o.windows()[0].end == 30);
  // Written back, A's data are the newest, and the GPU belongs to B.
  CHECK(o.windows()[1].kind == HazardKind::disclosure);
  CHECK(o.windows()[1].start == 30);
  CHECK(o.windows()[1].open_at_end);
}

TEST_CASE("a device that cannot issue No-Snoop reaches nothing stale") {
  Oracle o = exposed_page(0);
  o.cpu_store(PA, {3, kNobody, 0}, 10);
  o.device_nosnoop_capability(GPU, false, 20);  // enable cleared, and honoured
  o.device_nosnoop_capability(GPU, true, 30);
  o.finish(40);
  REQUIRE(o.windows().size() == 2);
  CHECK(o.windows()[0].end == 20);
  CHECK(o.windows()[1].start == 30);
}

TEST_CASE("faults are counted") {
  Oracle o;
  o.translation_fault(GPU, 0x1000, false, 1);
  o.translation_fault(GPU, 0x2000, true, 2);
  CHECK(o.counts().iommu_faults == 2);
}

namespace {

std::string describe(const analysis::Window& w) {
  return fmt::format("{} {:#x}+{} iova {:#x} s{} o{} {}-{} l{} w{} r{} f{} q{} h{} e{}",
                     static_cast<int>(w.kind), w.pa, w.size, w.iova, w.stream_id, w.owner,
                     w.start, w.end, w.longest, w.windows, w.realized_windows, w.first_hit,
                     w.quickest_hit, w.hits, w.open_at_end);
}

std::string describe(const Oracle& o, const std::vector<uint64_t>& lines) {
  const analysis::Counts& c = o.counts();
  std::string out = fmt::format("counts {} {} {} {} {} {} {} outside {}\n", c.leaks,
                                c.disclosures, c.stale_device_reads, c.stale_cpu_reads, c.lost_writes,
                                c.stale_iotlb_accesses, c.iommu_faults,
                                o.realized_outside_windows());
  for (const auto& w : o.windows()) out += describe(w) + "\n";
  for (uint64_t pa : lines)
    out += fmt::format("{:#x} newest v{} memory v{}\n", pa, o.newest(pa).version,
                       o.in_memory(pa).version);
  return out;
}

}  // namespace

TEST_CASE("a store stream's events taken a run at a time leave the oracle as line by line") {
  // What a cache applying a stream shows: each store pushes the window's
  // oldest line out (written back, then dropped). One oracle sees it line
  // by line; the other sees the write-backs first, as a memory fill per
  // span of consecutive lines of one value, and then the run's drops and
  // stores at once; then both see the same mapping, device writes and CPU
  // loads, which tell a line the CPU caches still hold from one they do not.
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    const uint64_t window = 8 + rng() % 200;
    Oracle by_line, by_run;
    CHECK_FALSE(by_run.needs_line_order());
    std::deque<std::pair<uint64_t, LineValue>> cached;  // the stream's window, oldest first
    std::vector<uint64_t> touched;
    uint64_t next = 0x100000 + (rng() % 64) * 64, version = 1;
    Picos t = 0;
    const Picos step = 333;
    for (int run = 0; run < 30; ++run) {
      const uint64_t count = 1 + rng() % window;
      if (rng() % 4 == 0) next += (1 + rng() % 8) * 4096;
      const LineValue value{++version, A, 0};
      std::vector<models::LineSpan> spans;
      std::vector<LineValue> span_values;
      std::vector<Picos> span_done;
      uint64_t dropped = 0;
      const Picos start = t;
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t pa = next + i * 64;
        touched.push_back(pa);
        if (cached.size() == window) {
          const auto [victim, victim_value] = cached.front();
          cached.pop_front();
          const Picos done = t + 50'000 + i * 2'500;
          by_line.memory_write(victim, victim_value, MemoryWriter::writeback, done);
          by_line.cache_line_dropped(victim, t);
          if (!spans.empty() && spans.back().pa + spans.back().lines * 64 == victim &&
              span_values.back() == victim_value) {
            ++spans.back().lines;
            span_done.back() = done;
          } else {
            spans.push_back({victim, 1});
            span_values.push_back(victim_value);
            span_done.push_back(done);
          }
          ++dropped;
        }
        t += step;
        by_line.cpu_store(pa, value, t);
        cached.emplace_back(pa, value);
      }
      if (dropped == count) {
        for (size_t k = 0; k < spans.size(); ++k)
          by_run.memory_filled(spans[k].pa, spans[k].lines, span_values[k],
                               MemoryWriter::writeback, span_done[k]);
        by_run.stores_streamed({next, count, value, spans.data(), spans.size(), start, step});
      } else {
        // The window was still filling: line by line for this run.
        uint64_t k = 0, in_span = 0;
        for (uint64_t i = 0; i < count; ++i) {
          if (i >= count - dropped) {
            const uint64_t victim = spans[k].pa + in_span * 64;
            by_run.memory_write(victim, span_values[k], MemoryWriter::writeback,
                                start + 50'000 + i * 2'500);
            by_run.cache_line_dropped(victim, start + i * step);
            if (++in_span == spans[k].lines) ++k, in_span = 0;
          }
          by_run.cpu_store(next + i * 64, value, start + (i + 1) * step);
        }
      }
      next += count * 64;
    }
    for (Oracle* o : {&by_line, &by_run}) {
      o->register_device(GPU, B);
      o->domain_created(7);
      o->device_attached(7, GPU, t);
      o->translation_mapped(7, 0, 0x100000, next - 0x100000 + 4096, true, true, t);
    }
    CHECK(by_run.needs_line_order());
    for (int i = 0; i < 200; ++i) {
      const uint64_t pa = touched[rng() % touched.size()];
      const LineValue written{++version, B, 0};
      t += 1'000;
      const bool write = rng() % 2;
      for (Oracle* o : {&by_line, &by_run}) {
        if (write) {
          o->device_access({GPU, 7, pa - 0x100000, pa, true, false, written, t});
          o->memory_write(pa, written, MemoryWriter::device, t);
        } else {
          o->cpu_load(pa, o->in_memory(pa), t);
        }
      }
    }
    by_line.finish(t + 1);
    by_run.finish(t + 1);
    INFO("seed " << seed << ", window " << window);
    CHECK(describe(by_run, touched) == describe(by_line, touched));
  }
}

TEST_CASE("copies a stream stored and a run of write-backs cleaned are what line by line leaves") {
  // Stores of three pages as a run, write-backs of the first 90 lines as a
  // memory fill (cleaning those copies, which stay cached), then No-Snoop device
  // writes over all of them: only the dirty copies open lost-write windows
  // (their write-back would destroy the device's data), on both oracles.
  Oracle by_line, by_run;
  const uint64_t base = 0x200000;
  const LineValue zero{1, A, 0};
  for (uint64_t i = 0; i < 3 * 64; ++i) by_line.cpu_store(base + i * 64, zero, 10);
  by_run.stores_streamed({base, 3 * 64, zero, nullptr, 0, 0, 0});
  for (uint64_t i = 0; i < 90; ++i)
    by_line.memory_write(base + i * 64, zero, MemoryWriter::writeback, 20);
  by_run.memory_filled(base, 90, zero, MemoryWriter::writeback, 20);
  std::vector<uint64_t> lines;
  for (Oracle* o : {&by_line, &by_run}) {
    o->register_device(GPU, B);
    o->domain_created(7);
    o->device_attached(7, GPU, 30);
    o->translation_mapped(7, 0, base, 3 * 4096, true, true, 30);
    for (uint64_t i = 0; i < 3 * 64; i += 3) {
      const LineValue written{2 + i, B, 0};
      o->device_access({GPU, 7, i * 64, base + i * 64, true, false, written, 40});
      o->memory_write(base + i * 64, written, MemoryWriter::device, 40);
    }
    o->finish(50);
  }
  for (uint64_t i = 0; i < 3 * 64; ++i) lines.push_back(base + i * 64);
  CHECK(describe(by_run, lines) == describe(by_line, lines));
  uint64_t lost = 0;
  for (const auto& w : by_run.windows()) lost += w.kind == HazardKind::lost_write ? w.size / 64 : 0;
  CHECK(lost == 34);  // the device-written lines of 90-191, every third
}
