// SPDX-License-Identifier: GPL-2.0-only
// The kernel environment the VFIO core and its backends run in: which
// upstream behaviour they follow, the module parameters, the flush policy,
// the services they call (host mm, IOMMU core, arch flush), `current`, the
// kernel log, fault injection, and who is told of every flush.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "host/host.h"
#include "vfio/arch_flush.h"
#include "vfio/fault_injection.h"
#include "vfio/flush_observer.h"
#include "vfio/flush_policy.h"
#include "vfio/iommu_core.h"
#include "vfio/kernel_base.h"

namespace iocsim::vfio {

struct KernelConfig {
  KernelBase base = KernelBase::v6_9;
  unsigned dma_entry_limit = 65535;      // module parameter, default U16_MAX
  bool allow_unsafe_interrupts = false;  // module parameter
  bool disable_hugepages = false;        // module parameter
  const FlushPolicy* policy = nullptr;
  // CPU time to enter and leave the kernel for one system call (sw.syscall).
  uint64_t syscall_picos = 0;
  // type1's own checks and accounting in vfio_pin_pages_remote and
  // vfio_unpin_pages_remote: per page on v6.9, per contiguous run on v6.18
  // (sw.vfio_bookkeeping).
  uint64_t bookkeeping_picos = 0;
};

// WARN()s the simulated kernel raised, and its pr_warn() lines.
class KernelLog {
 public:
  // WARN_ON(condition): records a warning when true; returns the condition.
  bool warn_on(bool condition, const std::string& what);
  // WARN_ON_ONCE(condition): as warn_on, but only the first time `what` warns.
  bool warn_on_once(bool condition, const std::string& what);
  void pr_warn(std::string line) { lines_.push_back(std::move(line)); }

  unsigned warnings() const { return warnings_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  unsigned warnings_ = 0;
  std::vector<std::string> lines_;
  std::set<std::string> warned_once_;
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
  // Told of every call of the flush helper (the flush ledger); may be null.
  FlushObserver* flushes = nullptr;
};

}  // namespace iocsim::vfio
