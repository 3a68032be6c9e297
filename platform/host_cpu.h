// SPDX-License-Identifier: GPL-2.0-only
// The host OS's CPU, implemented on the CPU agent model of the active core.
#pragma once

#include "host/cpu_port.h"
#include "platform/cores.h"

namespace iocsim::platform {

class HostCpu : public host::CpuPort {
 public:
  explicit HostCpu(const Cores& cores) : cores_(&cores) {}

  void store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag) override;
  std::vector<LineValue> load(uint64_t pa, uint64_t bytes) override;
  host::FlushOutcome flush(uint64_t pa, uint64_t bytes, CacheOp op) override;
  void compute(uint64_t picos) override;
  void compute_times(uint64_t n, uint64_t picos) override;
  uint64_t computes_unseen(uint64_t picos) const override;

 private:
  models::CpuAgent& cpu() const { return cores_->active(); }
  const Cores* cores_;
};

}  // namespace iocsim::platform
