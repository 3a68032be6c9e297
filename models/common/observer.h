// SPDX-License-Identifier: GPL-2.0-only
// What the models show an observer (iocsim's oracle, or anyone's checker).
//
// Models call these hooks at the simulated time an event takes effect; an
// observer must not change what the models do. Every hook has an empty default
// so an observer implements only what it needs.
#pragma once

#include <cstdint>

#include "base/line_value.h"
#include "base/picos.h"

namespace iocsim::models {

enum class MemoryWriter : uint8_t {
  writeback,   // a dirty line leaving a CPU cache (eviction, flush, wbinvd)
  device,      // a device write (snooped or not)
};

struct DeviceAccess {
  uint32_t stream_id = 0;
  uint32_t domain = 0;
  uint64_t iova = 0;
  uint64_t pa = 0;      // line address
  bool write = false;
  bool snooped = false;  // went through the cache hierarchy
  LineValue value;       // what was read, or what was written
  Picos at = 0;
  bool stale_translation = false;  // through an IOTLB entry whose mapping is gone
};

// One request of a DMA engine, from issue to completion; `faulted` if the
// IOMMU rejected it. Engine 0 is the device's steps, others its actors.
struct DeviceRequest {
  uint32_t stream_id = 0;
  uint32_t engine = 0;
  uint64_t iova = 0;
  uint64_t bytes = 0;
  bool write = false;
  bool faulted = false;
  Picos start = 0, end = 0;
};

// Requests of one device to `lines` consecutive lines, one request per line,
// through one IOTLB entry that is not stale (a run the IOMMU unit moved at
// once: DmaMaster::transfer): line i is [pa + i * 64], reached through IOVA
// iova + i * 64 in DRAM (or, snooped, past caches that held none of the
// lines: nothing was invalidated). In a run of reads, each line returned
// what DRAM held.
struct DeviceRun {
  uint32_t stream_id = 0;
  uint32_t domain = 0;
  uint64_t iova = 0;
  uint64_t pa = 0;
  uint64_t lines = 0;
  bool snooped = false;
};
using DeviceReadRun = DeviceRun;
// A run of writes: each line got `value`.
struct DeviceWriteRun : DeviceRun {
  LineValue value;
};

// `count` requests of one DMA engine, each of `bytes`, all translated; the
// first issued at `start`, each next one before the one ahead of it ended,
// the last of them ending at `end` (the latest end of any).
struct DeviceRequestRun {
  uint32_t stream_id = 0;
  uint32_t engine = 0;
  uint64_t iova = 0;
  uint64_t bytes = 0;
  uint64_t count = 0;
  bool write = false;
  Picos start = 0, end = 0;
};

// Consecutive lines: [pa, pa + lines * 64).
struct LineSpan {
  uint64_t pa = 0;
  uint64_t lines = 0;
};

// A run of stores of one value the cache applied as part of a stream
// (Cache::store_stream): the dropped spans hold `count` lines in all, in
// order; for each i < count, the i-th of them left the hierarchy at
// start + i * step (its write-back was shown before this run), then the
// store of `value` to the line at first + i * 64 completed at
// start + (i + 1) * step. No line is both dropped and stored.
struct StreamedStores {
  uint64_t first = 0;
  uint64_t count = 0;
  LineValue value;
  const LineSpan* dropped = nullptr;
  uint64_t dropped_spans = 0;
  Picos start = 0, step = 0;
};

class CoherenceObserver {
 public:
  virtual ~CoherenceObserver() = default;

  // Whether the observer needs a store stream's events one line at a time,
  // in the order line-by-line stores make them (a line's write-back, its
  // drop, the next store, and so on). If not, the cache shows a run of them
  // at once: the write-backs, then stores_streamed. Asked before each run;
  // an observer that watches these events must say true whenever their
  // order across lines could change what it concludes.
  virtual bool needs_line_order() const { return true; }
  // The run's drops and stores, each line's drop before the store that
  // follows it. By default, shown one by one as cache_line_dropped and cpu_store.
  virtual void stores_streamed(const StreamedStores& run) {
    uint64_t i = 0;
    for (const LineSpan* span = run.dropped; span < run.dropped + run.dropped_spans; ++span) {
      for (uint64_t k = 0; k < span->lines; ++k, ++i) {
        cache_line_dropped(span->pa + k * kLineBytes, run.start + i * run.step);
        cpu_store(run.first + i * kLineBytes, run.value, run.start + (i + 1) * run.step);
      }
    }
  }

  // A CPU store landed in a cache: `value` is now the newest value of the line.
  virtual void cpu_store(uint64_t /*pa*/, const LineValue& /*value*/, Picos /*at*/) {}
  // A coherent device write went into a CPU cache instead of memory (DDIO):
  // `value` is now the newest value of the line, and the cache's copy is dirty.
  virtual void device_write_cached(uint64_t /*pa*/, const LineValue& /*value*/, Picos /*at*/) {}
  // A CPU load returned `value`.
  virtual void cpu_load(uint64_t /*pa*/, const LineValue& /*value*/, Picos /*at*/) {}
  // A CPU cache now holds a clean copy of the line, read from memory.
  virtual void cache_line_filled(uint64_t /*pa*/, const LineValue& /*value*/, Picos /*at*/) {}
  // A CPU cache no longer holds the line (evicted, flushed, invalidated by a
  // snoop). A dirty line's write-back is shown first, as a memory_write.
  virtual void cache_line_dropped(uint64_t /*pa*/, Picos /*at*/) {}
  // Memory (DRAM) now holds `value` for the line.
  virtual void memory_write(uint64_t /*pa*/, const LineValue& /*value*/, MemoryWriter /*who*/,
                            Picos /*at*/) {}
  // Memory now holds `value` in each of `lines` lines from `pa` (a LineFill),
  // the last of them by `at`. Shown instead of a memory_write per line only
  // to an observer that does not need line order (as the lines' own times
  // are not given); by default, shown as those memory_writes, at `at`.
  virtual void memory_filled(uint64_t pa, uint64_t lines, const LineValue& value,
                             MemoryWriter who, Picos at) {
    for (uint64_t i = 0; i < lines; ++i) memory_write(pa + i * kLineBytes, value, who, at);
  }
  // Whether the observer wants memory_accessed and iotlb_looked_up, an event
  // for every DRAM transaction and every IOTLB lookup. Asked once, when a
  // model is built: a model shows them only to an observer that said yes, and
  // its hot paths pay nothing for one that did not.
  virtual bool watches_traffic() const { return false; }
  // DRAM served `lines` lines from `pa`, all reads or all writes, arriving at
  // `start` and done by `end` (device traffic, write-backs, fills and
  // page-table walks alike: every transaction the memory controller serves).
  virtual void memory_accessed(uint64_t /*pa*/, uint64_t /*lines*/, bool /*write*/,
                               Picos /*start*/, Picos /*end*/) {}
  // The IOMMU looked a device request's page up in its IOTLB at `at`.
  virtual void iotlb_looked_up(uint32_t /*stream_id*/, bool /*hit*/, Picos /*at*/) {}
  // A device read or wrote a line through an IOMMU.
  virtual void device_access(const DeviceAccess& /*access*/) {}
  // A device request completed (after its lines' device_access).
  virtual void device_request(const DeviceRequest& /*request*/) {}
  // How many of `run`'s first lines the observer takes at once, without each
  // line's time: device_write_run() instead of each line's memory_write and
  // device_access, and device_request_run() instead of each request's
  // device_request. Asked before the run moves; only lines whose own times
  // could not change what the observer concludes. By default none: every
  // line and request is shown.
  virtual uint64_t takes_device_write_run(const DeviceWriteRun& /*run*/) const { return 0; }
  // A run the observer took, its last line in memory by `at`.
  virtual void device_write_run(const DeviceWriteRun& /*run*/, Picos /*at*/) {}
  // As takes_device_write_run(), for reads: device_read_run() instead of
  // each line's device_access (the lines' values are DRAM's as the run
  // began: nothing writes them while it moves).
  virtual uint64_t takes_device_read_run(const DeviceReadRun& /*run*/) const { return 0; }
  // A run of reads the observer took, its last line answered by `at`.
  virtual void device_read_run(const DeviceReadRun& /*run*/, Picos /*at*/) {}
  // The requests of a run whose writes the observer took.
  virtual void device_request_run(const DeviceRequestRun& /*run*/) {}
  // Whether a device can issue No-Snoop requests at all (it cannot once its
  // No-Snoop enable is cleared, if it honours the enable). Devices start able.
  virtual void device_nosnoop_capability(uint32_t /*stream_id*/, bool /*capable*/,
                                         Picos /*at*/) {}
  // A device request the IOMMU could not translate.
  virtual void translation_fault(uint32_t /*stream_id*/, uint64_t /*iova*/, bool /*write*/,
                                 Picos /*at*/) {}

  // IOMMU domain lifecycle and translations. A domain starts out not enforcing
  // cache coherency; `coherency_enforced` reports that it now blocks No-Snoop.
  virtual void domain_created(uint32_t /*domain*/) {}
  virtual void coherency_enforced(uint32_t /*domain*/, Picos /*at*/) {}
  virtual void domain_destroyed(uint32_t /*domain*/, Picos /*at*/) {}
  virtual void device_attached(uint32_t /*domain*/, uint32_t /*stream_id*/, Picos /*at*/) {}
  virtual void device_detached(uint32_t /*domain*/, uint32_t /*stream_id*/, Picos /*at*/) {}
  virtual void translation_mapped(uint32_t /*domain*/, uint64_t /*iova*/, uint64_t /*pa*/,
                                  uint64_t /*size*/, bool /*readable*/, bool /*writable*/,
                                  Picos /*at*/) {}
  virtual void translation_unmapped(uint32_t /*domain*/, uint64_t /*iova*/, uint64_t /*pa*/,
                                    uint64_t /*size*/, Picos /*at*/) {}
  // An IOTLB entry still translates a page whose mapping is being removed
  // (shown just before its translation_unmapped): devices of the domain can
  // reach [pa, pa + size) until the entry is dropped.
  virtual void iotlb_entry_stale(uint32_t /*domain*/, uint64_t /*iova*/, uint64_t /*pa*/,
                                 uint64_t /*size*/, bool /*readable*/, Picos /*at*/) {}
  // A stale IOTLB entry is gone (invalidated or evicted).
  virtual void iotlb_entry_dropped(uint32_t /*domain*/, uint64_t /*iova*/, Picos /*at*/) {}
};

}  // namespace iocsim::models
