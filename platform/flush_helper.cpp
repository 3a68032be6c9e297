// SPDX-License-Identifier: GPL-2.0-only
#include "platform/flush_helper.h"

#include <algorithm>

namespace iocsim::platform {

vfio::ArchFlushDone FlushHelper::flush_cache_phys(vfio::phys_addr_t phys, uint64_t len) {
  const Picos start = cpu().now();
  models::FlushCounts counts;
  const uint64_t first = phys & ~(kPageBytes - 1);
  // Pages past RAM (MMIO) are uncacheable, never flushed.
  const uint64_t end = std::min((phys + len + kPageBytes - 1) & ~(kPageBytes - 1), memory_size_);
  if (first < end)
    counts = cpu().clean_pages(first, end - first, cpu().config().flush_op, kmap_page_);
  return {counts.lines_resident, counts.lines_written_back, start, cpu().now()};
}

vfio::ArchFlushDone FlushHelper::wbinvd_on_all_cpus() {
  const Picos start = cpu().now();
  const models::FlushCounts counts = cpu().whole_cache(CacheOp::wbinvd);
  return {counts.lines_resident, counts.lines_written_back, start, cpu().now()};
}

}  // namespace iocsim::platform
