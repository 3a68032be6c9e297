// SPDX-License-Identifier: GPL-2.0-only
#include "platform/arch_flush.h"

#include <algorithm>

namespace iocsim::platform {

void ArchFlushImpl::flush_cache_phys(vfio::phys_addr_t phys, uint64_t len,
                                     vfio::FlushSite site) {
  const Picos start = cpu().now();
  models::FlushCounts counts;
  const uint64_t first = phys & ~(kPageBytes - 1);
  // Pages past RAM (MMIO) are uncacheable, never flushed.
  const uint64_t end = std::min((phys + len + kPageBytes - 1) & ~(kPageBytes - 1), memory_size_);
  if (first < end)
    counts = cpu().clean_pages(first, end - first, cpu().config().flush_op, kmap_page_);
  ledger_->record(site, phys, len, start,
                  {counts.lines_resident, counts.lines_written_back, cpu().now() - start});
}

void ArchFlushImpl::wbinvd_on_all_cpus(uint64_t range_len, vfio::FlushSite site) {
  const Picos start = cpu().now();
  const models::FlushCounts counts = cpu().wbinvd();
  ledger_->record(site, 0, range_len, start,
                  {counts.lines_resident, counts.lines_written_back, cpu().now() - start});
}

}  // namespace iocsim::platform
