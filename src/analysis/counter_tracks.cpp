// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/counter_tracks.h"

namespace iocsim::analysis {
namespace {

using Range = boost::icl::discrete_interval<uint64_t>;

}  // namespace

uint64_t CounterTracks::covered(uint64_t first, uint64_t last) const {
  const Range range = Range::right_open(first, last);
  uint64_t bytes = 0;
  const auto [begin, end] = dirty_.equal_range(range);
  for (auto it = begin; it != end; ++it) bytes += boost::icl::length(*it & range);
  return bytes;
}

void CounterTracks::dirty(uint64_t first, uint64_t last, Picos at) {
  dirty_bytes_ += (last - first) - covered(first, last);
  dirty_.add(Range::right_open(first, last));
  series_.dirty_lines.set(at, static_cast<double>(dirty_bytes_ / kLineBytes));
}

void CounterTracks::clean(uint64_t first, uint64_t last, Picos at) {
  const uint64_t was = covered(first, last);
  if (!was) return;
  dirty_bytes_ -= was;
  dirty_.subtract(Range::right_open(first, last));
  series_.dirty_lines.set(at, static_cast<double>(dirty_bytes_ / kLineBytes));
}

void CounterTracks::stores_streamed(const models::StreamedStores& run) {
  for (const models::LineSpan* span = run.dropped; span < run.dropped + run.dropped_spans;
       ++span)
    clean(span->pa, span->pa + span->lines * kLineBytes, run.start);
  dirty(run.first, run.first + run.count * kLineBytes, run.start + run.count * run.step);
}

void CounterTracks::cpu_store(uint64_t pa, const LineValue&, Picos at) {
  dirty(pa, pa + kLineBytes, at);
}

void CounterTracks::device_write_cached(uint64_t pa, const LineValue&, Picos at) {
  dirty(pa, pa + kLineBytes, at);
}

void CounterTracks::cache_line_dropped(uint64_t pa, Picos at) { clean(pa, pa + kLineBytes, at); }

void CounterTracks::memory_write(uint64_t pa, const LineValue&, models::MemoryWriter who,
                                 Picos at) {
  if (who == models::MemoryWriter::writeback) clean(pa, pa + kLineBytes, at);
}

void CounterTracks::memory_filled(uint64_t pa, uint64_t lines, const LineValue&,
                                  models::MemoryWriter who, Picos at) {
  if (who == models::MemoryWriter::writeback) clean(pa, pa + lines * kLineBytes, at);
}

void CounterTracks::memory_accessed(uint64_t, uint64_t lines, bool write, Picos start,
                                    Picos end) {
  (write ? series_.dram_write_bytes : series_.dram_read_bytes)
      .add(start, end, static_cast<double>(lines * kLineBytes));
}

void CounterTracks::iotlb_looked_up(uint32_t stream_id, bool hit, Picos at) {
  IotlbSeries& s = series_.iotlb[stream_id];
  s.lookups.add(at, at, 1);
  s.hits.add(at, at, hit ? 1 : 0);
}

}  // namespace iocsim::analysis
