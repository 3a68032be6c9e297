// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/timeline.h"

#include <algorithm>

namespace iocsim::analysis {

void Timeline::device_request(const models::DeviceRequest& r) {
  const std::pair<uint32_t, uint32_t> key{r.stream_id, r.engine};
  auto open = open_burst_.find(key);
  // A request that starts when the engine's previous one ended, in the same
  // direction and with the same fate (translated or faulted), continues its
  // burst.
  if (open != open_burst_.end()) {
    ActivityBurst& b = bursts_[open->second];
    if (b.write == r.write && (b.faulted > 0) == r.faulted && r.start <= b.end) {
      b.end = std::max(b.end, r.end);
      ++b.requests;
      b.bytes += r.bytes;
      b.faulted += r.faulted;
      return;
    }
    // An engine's bursts follow each other on its track: one that still has
    // requests in flight when a request of another kind goes out ends there
    // (its completions are those of the reads it issued, already counted).
    if (r.start < b.end) b.end = r.start;
  }
  open_burst_[key] = bursts_.size();
  bursts_.push_back({r.stream_id, r.engine, r.write, r.start, r.end, 1, r.bytes,
                     r.faulted ? uint64_t{1} : uint64_t{0}});
}

void Timeline::device_request_run(const models::DeviceRequestRun& run) {
  // Every request after the first went out before the one ahead of it ended,
  // so each continues the burst the first begins or continues, whose end is
  // the latest of theirs.
  device_request({run.stream_id, run.engine, run.iova, run.bytes, run.write, false, run.start,
                  run.end});
  ActivityBurst& b = bursts_[open_burst_.at({run.stream_id, run.engine})];
  b.requests += run.count - 1;
  b.bytes += (run.count - 1) * run.bytes;
}

void Timeline::translation_fault(uint32_t stream_id, uint64_t iova, bool, Picos at) {
  auto open = open_faults_.find(stream_id);
  if (open != open_faults_.end()) {
    FaultBurst& f = faults_[open->second];
    if (at <= f.last + fault_gap_) {
      f.last = std::max(f.last, at);
      ++f.count;
      return;
    }
  }
  open_faults_[stream_id] = faults_.size();
  faults_.push_back({stream_id, at, at, 1, iova});
}

}  // namespace iocsim::analysis
