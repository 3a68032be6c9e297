// SPDX-License-Identifier: GPL-2.0-only
// The counters a trace or waveform draws over time, recorded from the models'
// events: lines the CPU caches hold dirty, DRAM traffic, and IOTLB lookups
// and hits per device. Attached only when a trace or waveform is asked for
// (RunOptions::record_counters); it only observes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include <boost/icl/interval_set.hpp>

#include "analysis/bucketed_series.h"
#include "models/common/observer.h"

namespace iocsim::analysis {

struct IotlbSeries {
  BucketedSeries lookups, hits;  // bucketed alike: both get every lookup

  // The percentage of bucket i's lookups that hit; none without lookups.
  std::optional<double> hit_percent(size_t i) const {
    const double n = lookups.sum(i);
    if (n == 0) return std::nullopt;
    return 100 * hits.sum(i) / n;
  }
};

struct CounterSeries {
  // Lines newer in the CPU caches than in DRAM (a level, peak per bucket).
  BucketedSeries dirty_lines;
  // Bytes DRAM read and wrote, each transaction spread over its service time.
  BucketedSeries dram_read_bytes, dram_write_bytes;
  std::map<uint32_t, IotlbSeries> iotlb;  // by stream id
};

class CounterTracks : public models::CoherenceObserver {
 public:
  // A store stream's runs are taken whole: the dirty set changes by ranges.
  bool needs_line_order() const override { return false; }
  bool watches_traffic() const override { return true; }
  void stores_streamed(const models::StreamedStores& run) override;
  void cpu_store(uint64_t pa, const LineValue& value, Picos at) override;
  void device_write_cached(uint64_t pa, const LineValue& value, Picos at) override;
  void cache_line_dropped(uint64_t pa, Picos at) override;
  void memory_write(uint64_t pa, const LineValue& value, models::MemoryWriter who,
                    Picos at) override;
  void memory_filled(uint64_t pa, uint64_t lines, const LineValue& value,
                     models::MemoryWriter who, Picos at) override;
  void memory_accessed(uint64_t pa, uint64_t lines, bool write, Picos start,
                       Picos end) override;
  void iotlb_looked_up(uint32_t stream_id, bool hit, Picos at) override;

  const CounterSeries& series() const { return series_; }

 private:
  // Byte addresses [first, last) become dirty or clean at `at`.
  void dirty(uint64_t first, uint64_t last, Picos at);
  void clean(uint64_t first, uint64_t last, Picos at);
  // Bytes of [first, last) that are dirty.
  uint64_t covered(uint64_t first, uint64_t last) const;

  // Lines the caches hold newer than memory: a CPU store or a cached device
  // write makes a line dirty; its write-back, or leaving the caches, makes
  // it clean. Bounded by the caches' capacity.
  boost::icl::interval_set<uint64_t> dirty_;
  uint64_t dirty_bytes_ = 0;
  CounterSeries series_;
};

}  // namespace iocsim::analysis
