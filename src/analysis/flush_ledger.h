// SPDX-License-Identifier: GPL-2.0-only
// What every flush cost, by call site: calls, bytes handed to the flush
// helper, lines the caches actually held, lines written back, CPU time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "host/cpu_port.h"
#include "vfio/arch_flush.h"

namespace iocsim::analysis {

struct FlushCost {
  uint64_t calls = 0;
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t lines_written_back = 0;
  uint64_t cpu_picos = 0;

  FlushCost& operator+=(const FlushCost& o);
};

// One call of the flush helper, for timelines.
struct FlushCall {
  vfio::FlushSite site;
  uint64_t phys = 0;   // 0 for a whole-cache flush
  uint64_t bytes = 0;
  uint64_t lines = 0, lines_written_back = 0;
  uint64_t start_picos = 0, end_picos = 0;
};

class FlushLedger {
 public:
  void record(vfio::FlushSite site, uint64_t phys, uint64_t bytes, uint64_t start_picos,
              const host::FlushOutcome& outcome);
  const FlushCost& site(vfio::FlushSite site) const {
    return by_site_[static_cast<size_t>(site)];
  }
  FlushCost total() const;
  const std::vector<FlushCall>& calls() const { return calls_; }

 private:
  std::array<FlushCost, 4> by_site_{};
  std::vector<FlushCall> calls_;
};

}  // namespace iocsim::analysis
