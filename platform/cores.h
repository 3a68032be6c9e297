// SPDX-License-Identifier: GPL-2.0-only
// The platform's CPU cores and which of them runs the current step. The
// host, the kernel's IOMMU calls and the flush helper all act on the active
// core, as software runs on whichever core its thread was scheduled on.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/cpu/cpu_agent.h"

namespace iocsim::platform {

class Cores {
 public:
  void add(std::unique_ptr<models::CpuAgent> core) { cores_.push_back(std::move(core)); }
  uint64_t count() const { return cores_.size(); }
  models::CpuAgent& at(uint64_t index) { return *cores_.at(index); }
  models::CpuAgent& active() const { return *cores_[active_]; }
  uint64_t active_index() const { return active_; }
  // The scenario loader checks core numbers; a bad one here is iocsim's bug.
  void activate(uint64_t index) {
    if (index >= cores_.size())
      throw std::logic_error("no core " + std::to_string(index) + " on this platform");
    active_ = index;
  }

 private:
  std::vector<std::unique_ptr<models::CpuAgent>> cores_;
  uint64_t active_ = 0;
};

}  // namespace iocsim::platform
