// SPDX-License-Identifier: GPL-2.0-only
// A background DMA engine of a device: it issues requests over an IOVA range
// in a pattern, on its own timeline, while the rest of the platform runs.
//
//  - probe:  every line of the range, one line per request, over and over, as
//            a malicious device hunting for stale data would;
//  - stream: the range front to back in the device's request size, wrapping;
//  - random: requests of the device's request size at uniformly random
//            aligned offsets (reproducible from a seed).
//
// A request starts no sooner than `every` after the previous one started (0:
// back to back) and never before the previous one completed. Faulting
// requests are recorded by the IOMMU and the actor goes on.
//
// Runs in a SystemC thread of its own (one per actor, for the whole run).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "models/dma/dma_master.h"
#include "models/dma/dma_pattern.h"
#include "base/stats.h"

namespace iocsim::models {

struct DmaActorConfig {
  DmaPattern pattern = DmaPattern::probe;
  uint64_t iova = 0;
  uint64_t size = 0;       // bytes, whole lines
  Picos every = 0;
  bool write = false;      // writes carry the device owner's data, tagged `tag`
  bool no_snoop = false;
  TagId tag = kNoTag;
  uint64_t seed = 1;
  uint32_t engine = 1;     // the device's engine number (0 is its steps')
};

struct DmaActorStats {
  uint64_t requests = 0, lines = 0, faulted_requests = 0;
  Picos started = 0, stopped = 0;
};

class DmaActor : public stats::Provider {
 public:
  // `name` names its report section, "actor.NAME".
  DmaActor(std::string name, DmaMaster& device, const DmaActorConfig& config);

  // Issues requests until `stop(now)` is true before a request (`now` is the
  // actor's own time). Call from the actor's SystemC thread.
  void run(const std::function<bool(Picos now)>& stop);

  const DmaActorConfig& config() const { return config_; }
  const DmaActorStats& stats() const { return stats_; }
  const stats::Group& statistics() const override { return statistics_; }

 private:
  // The offset of the next request and its length.
  std::pair<uint64_t, uint64_t> next();

  DmaMaster* device_;
  DmaActorConfig config_;
  uint64_t request_bytes_;
  uint64_t offset_ = 0;
  std::mt19937_64 random_;
  DmaActorStats stats_;
  stats::Group statistics_;
};

}  // namespace iocsim::models
