// SPDX-License-Identifier: GPL-2.0-only
// drivers/iommu/iommufd/hw_pagetable.c: paging HW page tables on an IOAS,
// their cache coherency, and patch 5/5's count of non-coherent ones.
#include <algorithm>
#include <cerrno>

#include "iommufd/ioas.h"

namespace iocsim::iommufd {

int Ioas::iommufd_hwpt_paging_enforce_cc(HwptPaging& hwpt) {
  if (hwpt.enforce_cache_coherency) return 0;
  if (kernel_.iommu.has_enforce_cache_coherency(hwpt.domain))
    hwpt.enforce_cache_coherency = kernel_.iommu.enforce_cache_coherency(hwpt.domain);
  return hwpt.enforce_cache_coherency ? 0 : -EINVAL;
}

int Ioas::iommufd_hwpt_paging_alloc(vfio::GroupId device, bool immediate_attach) {
  if (kernel_.faults.fire(vfio::FaultKind::alloc)) return -ENOMEM;  // the object
  const vfio::DomainAlloc alloc = kernel_.iommu.paging_domain_alloc(device);
  if (alloc.error) return alloc.error;
  HwptPaging hwpt;
  hwpt.domain = alloc.domain;
  auto abort = [&](int rc) {
    kernel_.iommu.domain_free(hwpt.domain);
    return rc;
  };
  // The coherency mode is set before any map and never changes: an IOMMU
  // that reports the capability but cannot enforce it on a new domain is a
  // driver bug.
  if (kernel_.iommu.capable_enforce_cache_coherency(device)) {
    const int rc = iommufd_hwpt_paging_enforce_cc(hwpt);
    if (kernel_.log.warn_on(rc != 0, "iommufd_hwpt_paging_alloc: enforce_cache_coherency failed"))
      return abort(rc);
  }
  hwpt_list.push_back(hwpt);
  const HwptIter it = std::prev(hwpt_list.end());
  auto unlist = [&](int rc) {
    hwpt_list.erase(it);
    return abort(rc);
  };
  if (immediate_attach) {
    if (int rc = iommufd_hw_pagetable_attach(*it, device)) return unlist(rc);
  }
  // Patch 5/5: counted before the domain is filled, so the fill flushes.
  if (!it->enforce_cache_coherency) iopt.noncoherent_domain_cnt++;
  if (int rc = iopt.iopt_table_add_domain(it->domain)) {
    if (!it->enforce_cache_coherency) iopt.noncoherent_domain_cnt--;
    if (immediate_attach) iommufd_hw_pagetable_detach(device);
    return unlist(rc);
  }
  return 0;
}

void Ioas::iommufd_hwpt_paging_destroy(HwptIter hwpt) {
  const DomainHandle domain = hwpt->domain;
  const bool noncoherent = !hwpt->enforce_cache_coherency;
  hwpt_list.erase(hwpt);
  iopt.iopt_table_remove_domain(domain);
  if (noncoherent) {
    iopt.noncoherent_domain_cnt--;
    flush_on_leaving_noncoherent();
  }
  kernel_.iommu.domain_free(domain);
}

void Ioas::flush_on_leaving_noncoherent() {
  if (!kernel_.config.policy->at(vfio::FlushPoint::leave) || iopt.noncoherent_domain_cnt ||
      iopt.domains().empty())
    return;
  // Found through a remaining domain, a physically contiguous run at a time.
  const DomainHandle storage = iopt.domains().front();
  for (const auto& [iova, area] : iopt.areas()) {
    if (!area->pages || !area->pages->cache_flush_required) continue;
    phys_addr_t run = 0;
    uint64_t run_len = 0;
    // By offset: an area may end at 2^64 - 1.
    const dma_addr_t first = area->iova & vfio::PAGE_MASK;
    for (uint64_t off = 0; off <= area->last - first;) {
      const dma_addr_t at = first + off;
      phys_addr_t phys = 0;
      const uint64_t extent = kernel_.iommu.translated_extent(storage, at, phys);
      const uint64_t len = extent ? std::min<uint64_t>(extent, area->last - at + 1) : vfio::PAGE_SIZE;
      if (extent && run_len && run + run_len == phys) {
        run_len += len;
      } else {
        if (run_len) calls_.flush_cache(vfio::FlushPoint::leave, run, run_len);
        run = phys;
        run_len = extent ? len : 0;
      }
      if (len > area->last - at) break;
      off += len;
    }
    if (run_len) calls_.flush_cache(vfio::FlushPoint::leave, run, run_len);
  }
  // Unmarked, so that unpin will not flush them again.
  for (const auto& [iova, area] : iopt.areas())
    if (area->pages) area->pages->cache_flush_required = false;
}

}  // namespace iocsim::iommufd
