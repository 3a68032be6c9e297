// SPDX-License-Identifier: GPL-2.0-only
// The kernel environment the type1 port runs in: which upstream behaviour it
// follows, the module parameters, the flush policy, the services it calls
// (host mm, IOMMU core, arch flush), `current`, and the kernel log.
#pragma once

#include <string>
#include <vector>

#include "host/host.h"
#include "vfio/arch_flush.h"
#include "vfio/fault_injection.h"
#include "vfio/flush_policy.h"
#include "vfio/iommu_core.h"

namespace iocsim::vfio {

// v6.9: the base the 2024 series patched (fgsp probe; wraps are EINVAL).
// v6.18: after the fgsp removal and the v6.18-rc4 overflow fixes (EOVERFLOW).
enum class KernelBase : uint8_t { v6_9, v6_18 };

const char* to_string(KernelBase base);

struct KernelConfig {
  KernelBase base = KernelBase::v6_9;
  unsigned dma_entry_limit = 65535;      // module parameter, default U16_MAX
  bool allow_unsafe_interrupts = false;  // module parameter
  bool disable_hugepages = false;        // module parameter
  const FlushPolicy* policy = nullptr;
};

// WARN()s the simulated kernel raised, and its pr_warn() lines.
class KernelLog {
 public:
  // WARN_ON(condition): records a warning when true; returns the condition.
  bool warn_on(bool condition, const std::string& what);
  void pr_warn(std::string line) { lines_.push_back(std::move(line)); }

  unsigned warnings() const { return warnings_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  unsigned warnings_ = 0;
  std::vector<std::string> lines_;
};

struct Kernel {
  Kernel(host::Host& h, IommuCore& i, ArchFlush& a, KernelLog& l, KernelConfig c)
      : host(h), iommu(i), arch(a), log(l), config(c) {}

  host::Host& host;
  IommuCore& iommu;
  ArchFlush& arch;
  KernelLog& log;
  KernelConfig config;
  host::Process* current = nullptr;  // the task making the ioctl
  FaultInjector faults;
};

}  // namespace iocsim::vfio
