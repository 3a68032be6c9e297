// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/backend_calls.h"

namespace iocsim::vfio {

int BackendCalls::iommu_map(DomainHandle domain, dma_addr_t iova, phys_addr_t paddr,
                            uint64_t size, int prot) {
  calls_.map++;
  if (int err = kernel_.faults.fire(FaultKind::iommu_map, domain)) return err;
  return kernel_.iommu.map(domain, iova, paddr, size, prot);
}

uint64_t BackendCalls::iommu_unmap(DomainHandle domain, dma_addr_t iova, uint64_t size) {
  calls_.unmap++;
  if (kernel_.faults.fire(FaultKind::iommu_unmap, domain)) return 0;
  return kernel_.iommu.unmap(domain, iova, size);
}

uint64_t BackendCalls::iommu_unmap_fast(DomainHandle domain, dma_addr_t iova, uint64_t size,
                                        IotlbGather& gather) {
  calls_.unmap++;
  if (kernel_.faults.fire(FaultKind::iommu_unmap, domain)) return 0;
  return kernel_.iommu.unmap_fast(domain, iova, size, gather);
}

void BackendCalls::flush_cache(FlushPoint point, phys_addr_t phys, uint64_t len) {
  const FlushPolicy& policy = *kernel_.config.policy;
  if (!policy.at(point)) return;
  FlushCall call{id_, site_of(point), phys, len, {}};
  switch (policy.method) {
    case FlushMethod::lines: call.done = kernel_.arch.flush_cache_phys(phys, len); break;
    case FlushMethod::wbinvd:
      call.phys = 0;
      call.done = kernel_.arch.wbinvd_on_all_cpus();
      break;
  }
  if (kernel_.flushes) kernel_.flushes->flushed(call);
}

}  // namespace iocsim::vfio
