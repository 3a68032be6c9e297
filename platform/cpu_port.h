// SPDX-License-Identifier: GPL-2.0-only
// The host OS's CPU, implemented on the CPU agent model.
#pragma once

#include "host/cpu_port.h"
#include "models/cpu/cpu_agent.h"

namespace iocsim::platform {

class CpuPortImpl : public host::CpuPort {
 public:
  explicit CpuPortImpl(models::CpuAgent& cpu) : cpu_(&cpu) {}

  void store(uint64_t pa, uint64_t bytes, host::OwnerId owner, host::TagId tag) override;
  std::vector<host::LineValue> load(uint64_t pa, uint64_t bytes) override;
  host::FlushOutcome flush(uint64_t pa, uint64_t bytes, host::CacheOp op) override;
  void compute(uint64_t picos) override;

 private:
  models::CpuAgent* cpu_;
};

}  // namespace iocsim::platform
