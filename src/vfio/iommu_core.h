// SPDX-License-Identifier: GPL-2.0-only
// The IOMMU core API (drivers/iommu/iommu.c) as vfio_iommu_type1.c calls it.
//
// The platform implements it on the IOMMU models; unit tests implement it with
// a mock domain, as the kernel's iommufd selftests do. Domains are handles;
// return values follow the kernel: 0 or -errno, sizes in bytes (0 = nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vfio/uapi.h"

namespace iocsim::vfio {

using DomainHandle = uint32_t;
using GroupId = int;

struct DomainGeometry {
  dma_addr_t aperture_start = 0;  // inclusive
  dma_addr_t aperture_end = 0;    // inclusive
};

enum class ResvType { direct, direct_relaxable, reserved, msi, sw_msi };

struct ResvRegion {
  phys_addr_t start = 0;
  uint64_t length = 0;
  ResvType type = ResvType::msi;
};

// struct iommu_iotlb_gather: the IOVA span whose IOTLB entries an unmap_fast
// left stale until the next iotlb_sync.
struct IotlbGather {
  dma_addr_t start = UINT64_MAX;
  dma_addr_t end = 0;  // inclusive
  bool empty() const { return start > end; }
  void add(dma_addr_t iova, uint64_t size) {
    if (iova < start) start = iova;
    if (iova + (size - 1) > end) end = iova + (size - 1);
  }
};

struct DomainAlloc {
  DomainHandle domain = 0;
  int error = 0;  // -errno when no domain could be allocated
};

class IommuCore {
 public:
  virtual ~IommuCore() = default;

  // iommu_paging_domain_alloc() for the first device of `group`.
  virtual DomainAlloc paging_domain_alloc(GroupId group) = 0;
  virtual void domain_free(DomainHandle domain) = 0;
  virtual int attach_group(DomainHandle domain, GroupId group) = 0;
  virtual void detach_group(DomainHandle domain, GroupId group) = 0;

  virtual DomainGeometry geometry(DomainHandle domain) const = 0;
  virtual uint64_t pgsize_bitmap(DomainHandle domain) const = 0;
  // Identity of the domain's iommu_ops: domains only merge within one driver.
  virtual std::string ops(DomainHandle domain) const = 0;
  // Whether ops->enforce_cache_coherency exists, and calling it.
  virtual bool has_enforce_cache_coherency(DomainHandle domain) const = 0;
  virtual bool enforce_cache_coherency(DomainHandle domain) = 0;
  // device_iommu_capable(dev, IOMMU_CAP_ENFORCE_CACHE_COHERENCY) for the
  // group's devices: iommufd asks before it allocates a domain.
  virtual bool capable_enforce_cache_coherency(GroupId group) const = 0;

  virtual int map(DomainHandle domain, dma_addr_t iova, phys_addr_t paddr, uint64_t size,
                  int prot) = 0;
  virtual uint64_t unmap(DomainHandle domain, dma_addr_t iova, uint64_t size) = 0;
  virtual uint64_t unmap_fast(DomainHandle domain, dma_addr_t iova, uint64_t size,
                              IotlbGather& gather) = 0;
  virtual void iotlb_sync(DomainHandle domain, IotlbGather& gather) = 0;
  // iommu_iova_to_phys(): a walk of the domain's table, which costs CPU time.
  virtual phys_addr_t iova_to_phys(DomainHandle domain, dma_addr_t iova) = 0;
  // iocsim's, not the kernel's: the lowest page-aligned IOVA in [from, last]
  // with a translation, or nothing. Where the kernel walks an unmapped gap
  // with iova_to_phys a page at a time, the port jumps over it with this:
  // the same result without 2^51 iterations for a 2^63-byte mapping.
  virtual std::optional<dma_addr_t> first_mapped(DomainHandle domain, dma_addr_t from,
                                                 dma_addr_t last) const = 0;
  // iocsim's too: iova_to_phys(iova) in `phys`, and how many bytes from
  // `iova` on the entry that translates it maps on contiguously (0 if none
  // does), so that a walk over a mapping can take an entry at a time.
  virtual uint64_t translated_extent(DomainHandle domain, dma_addr_t iova,
                                     phys_addr_t& phys) const = 0;

  virtual int get_group_resv_regions(GroupId group, std::vector<ResvRegion>& regions) = 0;
  virtual bool group_has_isolated_msi(GroupId group) const = 0;
  virtual int get_msi_cookie(DomainHandle domain, phys_addr_t base) = 0;
};

}  // namespace iocsim::vfio
