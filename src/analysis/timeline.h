// SPDX-License-Identifier: GPL-2.0-only
// What happened when, for traces and waveforms: device activity per DMA
// engine, merged into bursts of back-to-back requests that all translated or
// all faulted, and IOMMU faults per
// device, merged into bursts of faults less than `fault_gap` apart. Steps,
// flush calls and exposure windows come from the run's other records.
//
// The timeline only observes; it never changes what the models do.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "models/common/observer.h"

namespace iocsim::analysis {

// Requests an engine issued back to back in one direction with one fate
// (translated or faulted): from the first's issue to the last's completion,
// or to the issue of the engine's next request of another kind.
struct ActivityBurst {
  uint32_t stream_id = 0;
  uint32_t engine = 0;
  bool write = false;
  Picos start = 0, end = 0;
  uint64_t requests = 0, bytes = 0, faulted = 0;
};

struct FaultBurst {
  uint32_t stream_id = 0;
  Picos first = 0, last = 0;
  uint64_t count = 0;
  uint64_t first_iova = 0;
};

class Timeline : public models::CoherenceObserver {
 public:
  explicit Timeline(Picos fault_gap = 1'000'000) : fault_gap_(fault_gap) {}

  // It watches device activity only: a store stream's events, in any order, are nothing to it.
  bool needs_line_order() const override { return false; }
  void stores_streamed(const models::StreamedStores&) override {}
  void memory_filled(uint64_t, uint64_t, const LineValue&, models::MemoryWriter,
                     Picos) override {}
  void device_request(const models::DeviceRequest& request) override;
  // A run's lines are nothing to it, and its requests continue one burst.
  uint64_t takes_device_write_run(const models::DeviceWriteRun& run) const override {
    return run.lines;
  }
  uint64_t takes_device_read_run(const models::DeviceReadRun& run) const override {
    return run.lines;
  }
  void device_request_run(const models::DeviceRequestRun& run) override;
  void translation_fault(uint32_t stream_id, uint64_t iova, bool write, Picos at) override;

  // Bursts in the order they began, per engine.
  const std::vector<ActivityBurst>& bursts() const { return bursts_; }
  const std::vector<FaultBurst>& faults() const { return faults_; }

 private:
  Picos fault_gap_;
  std::vector<ActivityBurst> bursts_;
  std::vector<FaultBurst> faults_;
  std::map<std::pair<uint32_t, uint32_t>, size_t> open_burst_;  // (stream, engine) -> index
  std::map<uint32_t, size_t> open_faults_;                        // stream -> index
};

}  // namespace iocsim::analysis
