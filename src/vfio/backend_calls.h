// SPDX-License-Identifier: GPL-2.0-only
// What every VFIO IOMMU backend (type1, iommufd) calls the same way: the
// IOMMU core's map and unmap, with fault injection and a count for `state`
// steps, and the flush points of the 2024 series, which ask the policy what
// to do and tell the flush ledger what was done. One place, so that a policy
// means the same at type1's sites as at iommufd's.
#pragma once

#include "vfio/iommu_driver.h"
#include "vfio/kernel.h"

namespace iocsim::vfio {

class BackendCalls {
 public:
  BackendCalls(Kernel& kernel, ContainerId id) : kernel_(kernel), id_(id) {}

  // iommu_map/iommu_unmap/iommu_unmap_fast, counted; an armed injection
  // fails the call as the kernel's would fail.
  int iommu_map(DomainHandle domain, dma_addr_t iova, phys_addr_t paddr, uint64_t size, int prot);
  uint64_t iommu_unmap(DomainHandle domain, dma_addr_t iova, uint64_t size);
  uint64_t iommu_unmap_fast(DomainHandle domain, dma_addr_t iova, uint64_t size,
                            IotlbGather& gather);

  // A flush point over [phys, phys + len): does what the policy says there
  // (nothing, the arch helper, or wbinvd) and records the call for its site.
  void flush_cache(FlushPoint point, phys_addr_t phys, uint64_t len);

  ContainerId id() const { return id_; }
  IommuCalls counted() const { return calls_; }

 private:
  Kernel& kernel_;
  ContainerId id_;
  IommuCalls calls_;
};

}  // namespace iocsim::vfio
