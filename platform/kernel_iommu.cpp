// SPDX-License-Identifier: GPL-2.0-only
#include "platform/kernel_iommu.h"

#include <cerrno>
#include <stdexcept>

namespace iocsim::platform {

KernelIommu::KernelIommu(const Cores& cores, const KernelIommuCosts& costs)
    : cores_(&cores), costs_(costs) {}

void KernelIommu::add_device(vfio::GroupId group, const GroupDevice& device,
                             const std::vector<vfio::ResvRegion>& reserved) {
  Group& g = groups_[group];
  g.devices.push_back(device);
  g.reserved.insert(g.reserved.end(), reserved.begin(), reserved.end());
}

std::vector<vfio::DomainHandle> KernelIommu::live_domains() const {
  std::vector<vfio::DomainHandle> out;
  for (const auto& [domain, unit] : domains_) out.push_back(domain);
  return out;
}

models::IommuUnit& KernelIommu::unit_of(vfio::DomainHandle domain) const {
  auto it = domains_.find(domain);
  if (it == domains_.end())
    throw std::logic_error("IOMMU core: unknown domain " + std::to_string(domain));
  return *it->second;
}

vfio::DomainAlloc KernelIommu::paging_domain_alloc(vfio::GroupId group) {
  auto g = groups_.find(group);
  if (g == groups_.end() || g->second.devices.empty()) return {0, -ENODEV};
  models::IommuUnit* unit = g->second.devices.front().unit;
  const uint32_t domain = unit->domain_alloc();
  domains_[domain] = unit;
  return {domain, 0};
}

void KernelIommu::domain_free(vfio::DomainHandle domain) {
  unit_of(domain).domain_free(domain, cpu().now());
  domains_.erase(domain);
}

int KernelIommu::attach_group(vfio::DomainHandle domain, vfio::GroupId group) {
  models::IommuUnit& unit = unit_of(domain);
  const Group& g = groups_.at(group);
  // A domain lives in one unit here; devices behind another unit cannot join it.
  for (const GroupDevice& d : g.devices)
    if (d.unit != &unit) return -EINVAL;
  for (const GroupDevice& d : g.devices) unit.attach_device(domain, d.stream_id, cpu().now());
  return 0;
}

void KernelIommu::detach_group(vfio::DomainHandle domain, vfio::GroupId group) {
  models::IommuUnit& unit = unit_of(domain);
  for (const GroupDevice& d : groups_.at(group).devices)
    unit.detach_device(domain, d.stream_id, cpu().now());
}

vfio::DomainGeometry KernelIommu::geometry(vfio::DomainHandle domain) const {
  const auto& c = unit_of(domain).config();
  return {c.aperture_start, c.aperture_end};
}

uint64_t KernelIommu::pgsize_bitmap(vfio::DomainHandle domain) const {
  return unit_of(domain).config().pgsize_bitmap;
}

std::string KernelIommu::ops(vfio::DomainHandle domain) const {
  return unit_of(domain).config().driver;
}

bool KernelIommu::has_enforce_cache_coherency(vfio::DomainHandle) const {
  // intel-iommu, amd-iommu and arm-smmu-v3 all implement the op.
  return true;
}

bool KernelIommu::enforce_cache_coherency(vfio::DomainHandle domain) {
  return unit_of(domain).enforce_cache_coherency(domain, cpu().now());
}

bool KernelIommu::capable_enforce_cache_coherency(vfio::GroupId group) const {
  // intel_iommu_capable(): ecap_sc_support of the device's unit, the same
  // snoop control that enforce_cache_coherency() needs.
  auto g = groups_.find(group);
  if (g == groups_.end()) return false;
  for (const GroupDevice& d : g->second.devices)
    if (!d.unit->config().snoop_control) return false;
  return !g->second.devices.empty();
}

uint64_t KernelIommu::pgsize(uint64_t bitmap, uint64_t iova, uint64_t paddr, uint64_t size,
                             uint64_t* count) {
  auto fls = [](uint64_t x) { return 63u - static_cast<unsigned>(__builtin_clzll(x)); };
  auto ffs = [](uint64_t x) { return static_cast<unsigned>(__builtin_ctzll(x)); };
  auto genmask = [](unsigned high) { return high >= 63 ? UINT64_MAX : (uint64_t{2} << high) - 1; };
  const uint64_t addr_merge = paddr | iova;

  // Page sizes supported by the hardware and small enough for `size`,
  // constrained further by the alignment of both addresses.
  uint64_t pgsizes = bitmap & genmask(fls(size));
  if (addr_merge) pgsizes &= genmask(ffs(addr_merge));
  if (!pgsizes) throw std::logic_error("iommu_pgsize: no suitable page size");

  // The biggest page size remaining.
  const unsigned idx = fls(pgsizes);
  const uint64_t page = uint64_t{1} << idx;

  // If the addresses are similarly offset within the next bigger page size
  // and the range reaches its next boundary and beyond, stop there.
  const uint64_t bigger = bitmap & ~genmask(idx);
  if (bigger) {
    const uint64_t next = uint64_t{1} << ffs(bigger);
    if (!((iova ^ paddr) & (next - 1))) {
      const uint64_t offset = next - (addr_merge & (next - 1));
      if (offset <= size && size - offset >= next) size = offset;
    }
  }
  *count = size >> idx;
  return page;
}

int KernelIommu::map(vfio::DomainHandle domain, vfio::dma_addr_t iova, vfio::phys_addr_t paddr,
                     uint64_t size, int prot) {
  models::IommuUnit& unit = unit_of(domain);
  const uint64_t bitmap = unit.config().pgsize_bitmap;
  const uint64_t min_pagesz = bitmap & -bitmap;
  cpu().compute(costs_.map);
  if ((iova | paddr | size) & (min_pagesz - 1)) return -EINVAL;
  const vfio::dma_addr_t orig_iova = iova;
  uint64_t mapped = 0;
  int ret = 0;
  while (mapped < size) {
    uint64_t count;
    const uint64_t page = pgsize(bitmap, iova, paddr, size - mapped, &count);
    ret = unit.map_pages(domain, iova, paddr, page, count, prot & vfio::IOMMU_READ,
                         prot & vfio::IOMMU_WRITE, cpu().now());
    if (ret) break;
    iova += page * count;
    paddr += page * count;
    mapped += page * count;
  }
  // Undo a partial mapping (iommu_unmap(), with its IOTLB sync).
  if (ret && mapped) {
    const uint64_t undone = unmap_pages(domain, orig_iova, mapped);
    invalidate(domain, orig_iova, undone);
  }
  return ret;
}

uint64_t KernelIommu::unmap_pages(vfio::DomainHandle domain, vfio::dma_addr_t iova,
                                  uint64_t size) {
  models::IommuUnit& unit = unit_of(domain);
  const uint64_t bitmap = unit.config().pgsize_bitmap;
  const uint64_t min_pagesz = bitmap & -bitmap;
  if ((iova | size) & (min_pagesz - 1)) return 0;
  uint64_t unmapped = 0;
  while (unmapped < size) {
    uint64_t count;
    const uint64_t page = pgsize(bitmap, iova, iova, size - unmapped, &count);
    const uint64_t done = unit.unmap_pages(domain, iova, page, count, cpu().now());
    if (!done) break;
    iova += done;
    unmapped += done;
  }
  return unmapped;
}

void KernelIommu::invalidate(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size) {
  models::IommuUnit& unit = unit_of(domain);
  // Deferred: queued at no cost now (the queue's timer runs elsewhere).
  if (unit.queue_sync(domain, iova, size, cpu().now())) return;
  cpu().compute(costs_.invalidate);
  unit.iotlb_sync(domain, iova, size, cpu().now());
}

uint64_t KernelIommu::unmap(vfio::DomainHandle domain, vfio::dma_addr_t iova, uint64_t size) {
  cpu().compute(costs_.unmap);
  const uint64_t unmapped = unmap_pages(domain, iova, size);
  invalidate(domain, iova, unmapped);
  return unmapped;
}

uint64_t KernelIommu::unmap_fast(vfio::DomainHandle domain, vfio::dma_addr_t iova,
                                 uint64_t size, vfio::IotlbGather& gather) {
  cpu().compute(costs_.unmap);
  const uint64_t unmapped = unmap_pages(domain, iova, size);
  if (unmapped) gather.add(iova, unmapped);
  return unmapped;
}

void KernelIommu::iotlb_sync(vfio::DomainHandle domain, vfio::IotlbGather& gather) {
  invalidate(domain, gather.start, gather.empty() ? 0 : gather.end - gather.start + 1);
  gather = vfio::IotlbGather{};
}

vfio::phys_addr_t KernelIommu::iova_to_phys(vfio::DomainHandle domain, vfio::dma_addr_t iova) {
  cpu().compute(costs_.iova_to_phys);
  return unit_of(domain).iova_to_phys(domain, iova);
}

uint64_t KernelIommu::translated_extent(vfio::DomainHandle domain, vfio::dma_addr_t iova,
                                        vfio::phys_addr_t& phys) const {
  return unit_of(domain).translated_extent(domain, iova, phys);
}

std::optional<vfio::dma_addr_t> KernelIommu::first_mapped(vfio::DomainHandle domain,
                                                          vfio::dma_addr_t from,
                                                          vfio::dma_addr_t last) const {
  return unit_of(domain).first_mapped(domain, from, last);
}

int KernelIommu::get_group_resv_regions(vfio::GroupId group,
                                        std::vector<vfio::ResvRegion>& regions) {
  const Group& g = groups_.at(group);
  regions.insert(regions.end(), g.reserved.begin(), g.reserved.end());
  return 0;
}

bool KernelIommu::group_has_isolated_msi(vfio::GroupId) const { return true; }

int KernelIommu::get_msi_cookie(vfio::DomainHandle, vfio::phys_addr_t) { return 0; }

}  // namespace iocsim::platform
