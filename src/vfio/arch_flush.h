// SPDX-License-Identifier: GPL-2.0-only
// The architecture's CPU cache flush hooks the 2024 series added
// (arch_clean_nonsnoop_dma(), renamed arch_flush_cache_phys() in review), and
// wbinvd_on_all_cpus() for the wbinvd policy.
//
// `site` is simulator bookkeeping (which flush point called), not a kernel
// argument: it lets the ledger attribute every flush to its call site. So is
// the length given to wbinvd: the range the whole-cache flush stands in for.
#pragma once

#include <cstdint>

#include "vfio/uapi.h"

namespace iocsim::vfio {

enum class FlushSite : uint8_t { map, unpin, replay, fgsp };
inline constexpr FlushSite kFlushSites[] = {FlushSite::map, FlushSite::unpin, FlushSite::replay,
                                            FlushSite::fgsp};
const char* to_string(FlushSite site);

class ArchFlush {
 public:
  virtual ~ArchFlush() = default;
  // Write back and invalidate every cacheable line of [phys, phys + len),
  // rounded out to whole pages; uncacheable reserved pfns are skipped.
  virtual void flush_cache_phys(phys_addr_t phys, uint64_t len, FlushSite site) = 0;
  virtual void wbinvd_on_all_cpus(uint64_t range_len, FlushSite site) = 0;
};

}  // namespace iocsim::vfio
