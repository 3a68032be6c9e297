// SPDX-License-Identifier: GPL-2.0-only
// Memory controller with a sparse backing store.
//
// Timing comes from DramTiming: channels, banks with open rows, and a data
// bus per channel, so concurrent write-backs and device traffic contend for
// banks and buses. Each line of a request is timed on its own; the request
// completes with its last line, and a write's line is in DRAM (shown to the
// observer) when its own data have crossed the bus. Posted writes queue
// without limit (no bounded write queue).
//
// A LineFill (a run of write-backs of one value) is timed a row at a time
// (DramTiming::access_run) and stored a block or page at a time, unless the
// observer needs each line's own memory_write: then line by line.
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

namespace iocsim::models {

struct MemoryConfig {
  uint64_t size = 0;  // bytes of physical memory
  DramGeometry geometry;
  DramTimings timings;

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
  // A LineFill's write; returns when its last line is done.
  Picos fill(uint64_t pa, uint64_t lines, const LineFill& run, MemoryWriter who, Picos arrive);

  MemoryConfig config_;
  CoherenceObserver* observer_;
  BackingStore store_;
  DramTiming dram_;
  MemoryStats stats_;
  stats::Group statistics_{kStatsSection};
};

}  // namespace iocsim::models
