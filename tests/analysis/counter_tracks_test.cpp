// SPDX-License-Identifier: GPL-2.0-only
// Counter tracks from hand-made model events: dirty lines in the caches,
// DRAM traffic, IOTLB lookups.
#include "analysis/counter_tracks.h"

#include <catch2/catch.hpp>

using iocsim::LineValue;
using iocsim::analysis::CounterTracks;
using iocsim::models::LineSpan;
using iocsim::models::MemoryWriter;
using iocsim::models::StreamedStores;

namespace {
// The level the dirty-line series ends at.
double dirty_now(const CounterTracks& c) { return c.series().dirty_lines.peaks().back(); }
}  // namespace

TEST_CASE("stores make lines dirty once, write-backs and drops make them clean") {
  CounterTracks c;
  c.cpu_store(0x1000, LineValue{}, 1000);
  c.cpu_store(0x1000, LineValue{}, 2000);  // the same line again
  c.cpu_store(0x1040, LineValue{}, 3000);
  c.device_write_cached(0x2000, LineValue{}, 4000);
  CHECK(dirty_now(c) == 3);
  c.memory_write(0x1000, LineValue{}, MemoryWriter::device, 5000);  // not the cache's copy
  CHECK(dirty_now(c) == 3);
  c.memory_write(0x1000, LineValue{}, MemoryWriter::writeback, 6000);
  CHECK(dirty_now(c) == 2);
  c.cache_line_dropped(0x1040, 7000);
  c.cache_line_dropped(0x3000, 8000);  // never dirty: no change
  CHECK(dirty_now(c) == 1);
  c.memory_filled(0x2000, 4, LineValue{}, MemoryWriter::writeback, 9000);
  CHECK(dirty_now(c) == 0);
}

TEST_CASE("a store stream drops its spans and dirties its lines as ranges") {
  CounterTracks c;
  c.cpu_store(0x10000, LineValue{}, 100);  // inside the dropped span
  c.cpu_store(0x20040, LineValue{}, 100);  // inside the stored range already
  const LineSpan dropped[] = {{0x10000, 2}};
  StreamedStores run;
  run.first = 0x20000;
  run.count = 64;
  run.dropped = dropped;
  run.dropped_spans = 1;
  run.start = 1000;
  run.step = 10;
  c.stores_streamed(run);
  CHECK(dirty_now(c) == 64);
}

TEST_CASE("DRAM bytes and IOTLB lookups are counted where they happened") {
  CounterTracks c;
  c.memory_accessed(0x0, 2, false, 0, 1000);
  c.memory_accessed(0x0, 1, true, 500, 500);
  c.iotlb_looked_up(3, true, 100);
  c.iotlb_looked_up(3, false, 200);
  c.iotlb_looked_up(4, true, 300);
  const auto& s = c.series();
  double read = 0;
  for (size_t i = 0; i < s.dram_read_bytes.size(); ++i) read += s.dram_read_bytes.sum(i);
  CHECK(read == Approx(128));
  CHECK(s.dram_write_bytes.sum(0) == Approx(64));
  REQUIRE(s.iotlb.count(3));
  CHECK(s.iotlb.at(3).lookups.sum(0) == 2);
  CHECK(s.iotlb.at(3).hits.sum(0) == 1);
  CHECK(s.iotlb.at(4).hits.sum(0) == 1);
}
