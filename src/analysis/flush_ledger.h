// SPDX-License-Identifier: GPL-2.0-only
// What every flush cost, by call site and by container: calls, bytes handed
// to the flush helper, lines the caches actually held, lines written back,
// CPU time. The one count of flushes: reports read the totals, `state`
// expectations a container's, timelines the calls.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "base/quantity.h"
#include "vfio/flush_observer.h"

namespace iocsim::analysis {

struct FlushCost {
  uint64_t calls = 0;
  uint64_t bytes = 0;
  uint64_t lines = 0;
  uint64_t lines_written_back = 0;
  uint64_t cpu_picos = 0;

  FlushCost& operator+=(const FlushCost& o);
};

// The fields of a flush cost, as reports and expectations name them.
struct FlushField {
  std::string_view name;
  uint64_t FlushCost::*field;
  Quantity quantity;
};

inline constexpr FlushField kFlushFields[] = {
    {"calls", &FlushCost::calls, Quantity::count},
    {"bytes", &FlushCost::bytes, Quantity::bytes},
    {"lines", &FlushCost::lines, Quantity::count},
    {"lines_written_back", &FlushCost::lines_written_back, Quantity::count},
    {"cpu_ns", &FlushCost::cpu_picos, Quantity::picos},
};

using SiteCosts = std::array<FlushCost, vfio::kFlushSiteCount>;

class FlushLedger : public vfio::FlushObserver {
 public:
  void flushed(const vfio::FlushCall& call) override;

  const FlushCost& site(vfio::FlushSite site) const {
    return by_site_[static_cast<size_t>(site)];
  }
  FlushCost total() const;
  // One container's flushes by site (all zero if it made none).
  const SiteCosts& container(vfio::ContainerId id) const;
  const std::vector<vfio::FlushCall>& calls() const { return calls_; }

 private:
  SiteCosts by_site_{};
  std::map<vfio::ContainerId, SiteCosts> by_container_;
  std::vector<vfio::FlushCall> calls_;
};

}  // namespace iocsim::analysis
