// SPDX-License-Identifier: GPL-2.0-only
// Memory controller with a sparse backing store.
//
// Timing comes from DramTiming: channels, banks with open rows, and a data
// bus per channel, so concurrent write-backs and device traffic contend for
// banks and buses. Each line of a request is timed on its own; the request
// completes with its last line, and a write's line is in DRAM (shown to the
// observer) when its own data have crossed the bus. Writes (write-backs and
// device writes alike) pass through a write queue of `write_queue` entries
// per channel (write_queue.h): a request that carries a WritePosting learns
// when its last line was posted, which is later than it arrived while the
// queue is full. Reads are not queued (no read queue is modelled).
//
// A LineFill (a run of write-backs of one value, or a device's run of
// writes) is timed a row at a time (DramTiming::access_run) and stored a
// block or page at a time, unless the observer needs each line's own
// memory_write: then line by line. A device's run is always taken whole.
// A device's run of reads (PacedReads) is timed line by line as the device
// paces it, with no transaction per line.
//
// Accesses must be line-aligned and a whole number of lines; anything else is
// answered with TLM_BURST_ERROR_RESPONSE. Addresses beyond `size` get
// TLM_ADDRESS_ERROR_RESPONSE.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/common/attributes.h"
#include "models/common/blocking_target.h"
#include "models/common/observer.h"
#include "base/params.h"
#include "base/stats.h"
#include "models/common/time.h"
#include "models/memory/backing_store.h"
#include "models/memory/dram_timing.h"
#include "models/memory/write_queue.h"

namespace iocsim::models {

struct MemoryConfig {
  uint64_t size = 0;  // bytes of physical memory
  DramGeometry geometry;
  DramTimings timings;
  uint64_t write_queue = 0;  // entries per channel; 0: no limit

  static void declare(params::Catalog& catalog);
  static MemoryConfig from(const params::Set& set);
};

struct MemoryStats {
  uint64_t reads = 0;   // lines
  uint64_t writes = 0;  // lines
};

class MemoryController : public sc_core::sc_module,
                         public stats::Provider,
                         private BlockingTarget {
 public:
  FanInTargetSocket socket;

  MemoryController(sc_core::sc_module_name name, const MemoryConfig& config,
                   CoherenceObserver* observer);

  const MemoryStats& stats() const { return stats_; }
  const DramStats& dram_stats() const { return dram_.stats(); }
  const BackingStore& store() const { return store_; }
  static constexpr const char* kStatsSection = "dram";
  const stats::Group& statistics() const override { return statistics_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) override;
  bool check(tlm::tlm_generic_payload& trans) const;
  // A LineFill's write; returns when its last line is done, and raises
  // `posted` to when the queue took its last line.
  Picos fill(uint64_t pa, uint64_t lines, const LineFill& run, MemoryWriter who, Picos arrive,
             Picos& posted);
  // A device's run of one-line reads (PacedReads), line by line as the
  // device paces them; returns when the last taken was answered.
  Picos paced_reads(uint64_t pa, uint64_t lines, PacedReads& run);
  // The write of the line at `pa` arriving at `arrive`, whose data cross the
  // bus by `done`, through the write queue; returns when it was posted.
  Picos queue_write(uint64_t pa, Picos arrive, Picos done);

  MemoryConfig config_;
  CoherenceObserver* observer_;
  CoherenceObserver* traffic_observer_;  // observer_ if it watches traffic, else null
  BackingStore store_;
  DramTiming dram_;
  WriteQueue write_queue_;
  MemoryStats stats_;
  stats::Group statistics_{kStatsSection};
};

}  // namespace iocsim::models
