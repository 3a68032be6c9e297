// SPDX-License-Identifier: GPL-2.0-only
// The container: open, VFIO_CHECK_EXTENSION, the page-size bitmap, the
// domain list and the series' non-coherent tracking, and the flush points.
#include <cerrno>
#include <stdexcept>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

VfioIommu::VfioIommu(Kernel& kernel, host::Process& owner, ContainerId id, bool v2)
    : kernel_(kernel), owner_(&owner), calls_(kernel, id), v2_(v2) {
  dma_avail_ = kernel.config.dma_entry_limit;
  pgsize_bitmap_ = PAGE_MASK;
}

std::unique_ptr<VfioIommu> VfioIommu::open(Kernel& kernel, host::Process& owner, ContainerId id,
                                           unsigned long arg, int* err) {
  switch (arg) {
    case VFIO_TYPE1_IOMMU:
      return std::unique_ptr<VfioIommu>(new VfioIommu(kernel, owner, id, false));
    case VFIO_TYPE1_NESTING_IOMMU:  // v6.9: nesting (v2 semantics); later: a reserved alias
    case VFIO_TYPE1v2_IOMMU:
      return std::unique_ptr<VfioIommu>(new VfioIommu(kernel, owner, id, true));
    default:
      *err = -EINVAL;
      return nullptr;
  }
}

host::Process& VfioIommu::current() const {
  if (!kernel_.current) throw std::logic_error("vfio ioctl without a current task");
  return *kernel_.current;
}

void VfioIommu::vfio_update_pgsize_bitmap() {
  pgsize_bitmap_ = UINT64_MAX;
  for (const VfioDomain& domain : domain_list_)
    pgsize_bitmap_ &= kernel_.iommu.pgsize_bitmap(domain.domain);

  // If the IOMMU supports page sizes below PAGE_SIZE, pretend PAGE_SIZE is
  // supported and hide the smaller ones: pinning works in whole pages.
  if (pgsize_bitmap_ & ~PAGE_MASK) {
    pgsize_bitmap_ &= PAGE_MASK;
    pgsize_bitmap_ |= PAGE_SIZE;
  }
}

int VfioIommu::vfio_domains_have_enforce_cache_coherency() const {
  for (const VfioDomain& domain : domain_list_)
    if (!domain.enforce_cache_coherency) return 0;
  return 1;
}

bool VfioIommu::vfio_iommu_has_emulated() const { return !emulated_iommu_groups_.empty(); }

int VfioIommu::check_extension(const VfioIommu* iommu, unsigned long arg, KernelBase base) {
  switch (arg) {
    case VFIO_TYPE1_IOMMU:
    case VFIO_TYPE1v2_IOMMU:
    case VFIO_UNMAP_ALL:
      return 1;
    case VFIO_TYPE1_NESTING_IOMMU:
      // Advertised until nesting was dropped after the v6.9 base.
      return base == KernelBase::v6_9 ? 1 : 0;
    case VFIO_UPDATE_VADDR:
      // Disabled if mdevs are present: they cannot safely pin while vaddrs change.
      return iommu && !iommu->vfio_iommu_has_emulated();
    case VFIO_DMA_CC_IOMMU:
      if (!iommu) return 0;
      return iommu->vfio_domains_have_enforce_cache_coherency();
    default:
      return 0;
  }
}

void VfioIommu::link_domain(VfioDomain domain) {
  const bool noncoherent = !domain.enforce_cache_coherency;
  domain_list_.push_front(std::move(domain));
  switch (kernel_.config.policy->tracking) {
    case NoncoherentTracking::scan:
      // S1: after list_add, recompute by walking the domains.
      has_noncoherent_domain_ = noncoherent_domains() != 0;
      break;
    case NoncoherentTracking::counter:
      noncoherent_domains_ += noncoherent;
      break;
  }
}

std::list<VfioDomain>::iterator VfioIommu::unlink_domain(std::list<VfioDomain>::iterator domain,
                                                         bool releasing) {
  const bool noncoherent = !domain->enforce_cache_coherency;
  auto next = domain_list_.erase(domain);
  switch (kernel_.config.policy->tracking) {
    case NoncoherentTracking::scan:
      // S2: after list_del of an emptied domain in detach; release() does
      // not recompute.
      if (!releasing) has_noncoherent_domain_ = noncoherent_domains() != 0;
      break;
    case NoncoherentTracking::counter:
      noncoherent_domains_ -= noncoherent;
      break;
  }
  return next;
}

bool VfioIommu::has_noncoherent_domain() const {
  return kernel_.config.policy->tracking == NoncoherentTracking::scan ? has_noncoherent_domain_
                                                                      : noncoherent_domains_ != 0;
}

unsigned VfioIommu::noncoherent_domains() const {
  unsigned n = 0;
  for (const VfioDomain& d : domain_list_) n += !d.enforce_cache_coherency;
  return n;
}

uint64_t VfioIommu::pinned_pages() const {
  uint64_t pages = 0;
  for (const auto& entry : dma_list_) {
    const VfioDma& dma = *entry.second;
    for (const auto& vpfn : dma.pfn_list)
      pages += !kernel_.host.is_invalid_reserved_pfn(vpfn.second.pfn);
    if (!dma.iommu_mapped || domain_list_.empty()) continue;
    // The pages that translate to a valid frame (an address of 0 being no
    // translation), an entry at a time.
    const DomainHandle first = domain_list_.front().domain;
    for (uint64_t off = 0; off < dma.size;) {
      phys_addr_t phys = 0;
      const uint64_t extent = kernel_.iommu.translated_extent(first, dma.iova + off, phys);
      const uint64_t bytes = extent ? std::min(extent, dma.size - off) : PAGE_SIZE;
      if (extent) {
        pages += kernel_.host.valid_pfns(phys >> PAGE_SHIFT, bytes >> PAGE_SHIFT);
        if (phys == 0 && !kernel_.host.is_invalid_reserved_pfn(0)) --pages;
      }
      off += bytes;
    }
  }
  return pages;
}

long VfioIommu::check_extension(unsigned long arg) { return check_extension(this, arg, kernel_.config.base); }

std::vector<MappingState> VfioIommu::mappings() const {
  std::vector<MappingState> out;
  out.reserve(dma_list_.size());
  for (const auto& [iova, dma] : dma_list_)
    out.push_back({dma->iova, dma->size, dma->mm, dma->locked_vm});
  return out;
}

std::vector<DomainHandle> VfioIommu::domains() const {
  std::vector<DomainHandle> out;
  for (const VfioDomain& d : domain_list_) out.push_back(d.domain);
  return out;
}

std::vector<std::pair<dma_addr_t, dma_addr_t>> VfioIommu::iova_windows() const {
  std::vector<std::pair<dma_addr_t, dma_addr_t>> out;
  for (const VfioIova& w : iova_list_) out.emplace_back(w.start, w.end);
  return out;
}

}  // namespace iocsim::vfio
