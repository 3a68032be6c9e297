// SPDX-License-Identifier: GPL-2.0-only
// The Linux IOMMU core (drivers/iommu/iommu.c) and its drivers, on the IOMMU
// unit models: the generic iommu_map()/iommu_unmap() loops that cut a range
// into the largest supported pages (iommu_pgsize()), undo a partial map, and
// sync the IOTLB; groups of devices; reserved regions; domain identity.
// Each call's kernel CPU time is charged to the CPU agent, and the change it
// makes to the hardware takes effect at the CPU's time after it.
// Not modelled (yet): a domain spanning several units; interrupt remapping
// being absent (every group has isolated MSI).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/cores.h"
#include "models/iommu/iommu_unit.h"
#include "vfio/iommu_core.h"

namespace iocsim::platform {

struct KernelIommuCosts {
  Picos map = 0;         // per iommu_map() call
  Picos unmap = 0;       // per iommu_unmap()/iommu_unmap_fast() call, without the sync
  Picos invalidate = 0;  // per IOTLB sync: submit the invalidation and wait for it
  Picos iova_to_phys = 0;  // per iommu_iova_to_phys() call
};

struct GroupDevice {
  uint32_t stream_id = 0;
  models::IommuUnit* unit = nullptr;
};

class KernelIommu : public vfio::IommuCore {
 public:
  KernelIommu(const Cores& cores, const KernelIommuCosts& costs);

  // Declares group membership and the group's reserved regions.
  void add_device(vfio::GroupId group, const GroupDevice& device,
                  const std::vector<vfio::ResvRegion>& reserved);
  // Domains the units still hold.
  std::vector<vfio::DomainHandle> live_domains() const;
  // The unit a live domain lives in.
  const models::IommuUnit& unit(vfio::DomainHandle domain) const { return unit_of(domain); }

  vfio::DomainAlloc paging_domain_alloc(vfio::GroupId group) override;
  void domain_free(vfio::DomainHandle domain) override;
  int attach_group(vfio::DomainHandle domain, vfio::GroupId group) override;
  void detach_group(vfio::DomainHandle domain, vfio::GroupId group) override;
  vfio::DomainGeometry geometry(vfio::DomainHandle domain) const override;
  uint64_t pgsize_bitmap(vfio::DomainHandle domain) const override;
  std::string ops(vfio::DomainHandle domain) const override;
  bool has_enforce_cache_coherency(vfio::DomainHandle domain) const override;
  bool enforce_cache_coherency(vfio::DomainHandle domain) override;
  bool capable_enforce_cache_coherency(vfio::GroupId group) const override;
  int map(vfio::DomainHandle domain, vfio::dma_addr_t iova, vfio::phys_addr_t paddr,
          uint64_t size, int prot) override;
  uint64_t unmap(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size) override;
  uint64_t unmap_fast(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size,
                      vfio::IotlbGather& gather) override;
  void iotlb_sync(vfio::DomainHandle domain, vfio::IotlbGather& gather) override;
  vfio::phys_addr_t iova_to_phys(vfio::DomainHandle domain, vfio::dma_addr_t iova) override;
  uint64_t translated_extent(vfio::DomainHandle domain, vfio::dma_addr_t iova,
                             vfio::phys_addr_t& phys) const override;
  std::optional<vfio::dma_addr_t> first_mapped(vfio::DomainHandle domain, vfio::dma_addr_t from,
                                               vfio::dma_addr_t last) const override;
  int get_group_resv_regions(vfio::GroupId group,
                             std::vector<vfio::ResvRegion>& regions) override;
  bool group_has_isolated_msi(vfio::GroupId group) const override;
  int get_msi_cookie(vfio::DomainHandle domain, vfio::phys_addr_t base) override;

 private:
  struct Group {
    std::vector<GroupDevice> devices;
    std::vector<vfio::ResvRegion> reserved;
  };

  models::IommuUnit& unit_of(vfio::DomainHandle domain) const;
  // iommu_pgsize(): the largest supported page that fits and is aligned, and
  // how many of them to map before a larger page size becomes possible.
  static uint64_t pgsize(uint64_t bitmap, uint64_t iova, uint64_t paddr, uint64_t size,
                         uint64_t* count);
  uint64_t unmap_pages(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size);
  // Syncs the IOTLB over [iova, iova + size) (nothing if size is 0), charging its cost.
  void invalidate(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size);

  models::CpuAgent& cpu() const { return cores_->active(); }
  const Cores* cores_;
  KernelIommuCosts costs_;
  std::map<vfio::GroupId, Group> groups_;
  std::map<vfio::DomainHandle, models::IommuUnit*> domains_;
};

}  // namespace iocsim::platform
