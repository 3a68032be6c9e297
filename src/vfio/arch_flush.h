// SPDX-License-Identifier: GPL-2.0-only
// The architecture's CPU cache flush hooks the 2024 series added
// (arch_clean_nonsnoop_dma(), renamed arch_flush_cache_phys() in review), and
// wbinvd_on_all_cpus() for the wbinvd policy.
#pragma once

#include <cstdint>

#include "vfio/uapi.h"

namespace iocsim::vfio {

// What one call found and when it ran: simulator bookkeeping that the
// kernel's helpers (which return nothing) do not have, for the flush ledger.
struct ArchFlushDone {
  uint64_t lines = 0;               // lines the caches held
  uint64_t lines_written_back = 0;  // of which dirty
  uint64_t start_picos = 0, end_picos = 0;
};

class ArchFlush {
 public:
  virtual ~ArchFlush() = default;
  // Write back and invalidate every cacheable line of [phys, phys + len),
  // rounded out to whole pages; uncacheable reserved pfns are skipped.
  virtual ArchFlushDone flush_cache_phys(phys_addr_t phys, uint64_t len) = 0;
  virtual ArchFlushDone wbinvd_on_all_cpus() = 0;
};

}  // namespace iocsim::vfio
