// SPDX-License-Identifier: GPL-2.0-only
// Every call of the flush helper the port makes, as it is made: which
// container, which flush site, what range, and what the call found and cost.
// The flush ledger (analysis/flush_ledger.h) is the one record of them that
// reports and `state` expectations read.
#pragma once

#include <cstdint>

#include "vfio/arch_flush.h"
#include "vfio/flush_sites.h"

namespace iocsim::vfio {

// Names a container for simulator bookkeeping: the number the VFIO core
// gave its file descriptor.
using ContainerId = int;

struct FlushCall {
  ContainerId container = 0;
  FlushSite site = FlushSite::map;
  phys_addr_t phys = 0;  // 0 for a whole-cache flush
  uint64_t bytes = 0;    // handed to the helper (for wbinvd: the range it stands in for)
  ArchFlushDone done;
};

class FlushObserver {
 public:
  virtual ~FlushObserver() = default;
  virtual void flushed(const FlushCall& call) = 0;
};

}  // namespace iocsim::vfio
