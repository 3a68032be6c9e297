// SPDX-License-Identifier: GPL-2.0-only
// Detaching a group (the last domain takes every mapping with it) and
// releasing the container.
#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

void VfioIommu::vfio_iommu_unmap_unpin_all() {
  while (!dma_list_.empty()) vfio_remove_dma(dma_list_.begin()->second.get());
}

// The last IOMMU domain is gone but emulated groups remain: unpin everything
// the IOMMU held, keep the dmas, and charge only what mdev pins still hold.
void VfioIommu::vfio_iommu_unmap_unpin_reaccount() {
  for (auto& entry : dma_list_) {
    VfioDma* dma = entry.second.get();
    long locked = 0, unlocked = 0;
    unlocked += vfio_unmap_unpin(dma, false);
    for (const auto& vpfn : dma->pfn_list)
      if (!is_invalid_reserved_pfn(vpfn.second.pfn)) locked++;
    vfio_lock_acct(dma, locked - unlocked, true);
  }
}

// eager-unmap: the last non-coherent domain is gone while coherent ones
// remain. Every mapping non-coherent DMA could reach is flushed now, found
// through the first remaining domain, and unmarked so unpin will not flush it
// again. The series flushes such mappings lazily at unpin instead.
void VfioIommu::flush_on_leaving_noncoherent() {
  if (!kernel_.config.policy->at(FlushPoint::leave) || has_noncoherent_domain() ||
      domain_list_.empty())
    return;
  const DomainHandle d = domain_list_.front().domain;
  for (auto& entry : dma_list_) {
    VfioDma* dma = entry.second.get();
    if (!dma->cache_flush_required) continue;
    for (dma_addr_t iova = dma->iova; iova - dma->iova < dma->size;) {
      const phys_addr_t phys = kernel_.iommu.iova_to_phys(d, iova);
      if (!phys) {
        // Stepping a page at a time to the next translation, in one jump.
        auto next = kernel_.iommu.first_mapped(d, iova, dma->iova + dma->size - 1);
        if (!next) break;
        iova = *next;
        continue;
      }
      uint64_t len = PAGE_SIZE;
      while (iova + len - dma->iova < dma->size &&
             kernel_.iommu.iova_to_phys(d, iova + len) == phys + len)
        len += PAGE_SIZE;
      flush_cache(FlushPoint::leave, phys, len);
      iova += len;
    }
    dma->cache_flush_required = false;
  }
}

void VfioIommu::detach_group(GroupId iommu_group) {
  bool update_dirty_scope = false;

  for (auto group = emulated_iommu_groups_.begin(); group != emulated_iommu_groups_.end();
       ++group) {
    if (group->iommu_group != iommu_group) continue;
    update_dirty_scope = !group->pinned_page_dirty_scope;
    emulated_iommu_groups_.erase(group);
    if (emulated_iommu_groups_.empty() && domain_list_.empty()) {
      warn_on(!device_list_.empty(), "vfio_iommu_type1_detach_group: emulated devices remain");
      vfio_iommu_unmap_unpin_all();
    }
    if (update_dirty_scope) num_non_pinned_groups_--;
    return;
  }

  // Work on a copy of the iova list; the original stays if the update fails.
  // (The kernel ignores a failure to copy: an empty copy keeps the old list.)
  std::list<VfioIova> iova_copy;
  vfio_iommu_iova_get_copy(iova_copy);

  for (auto domain = domain_list_.begin(); domain != domain_list_.end(); ++domain) {
    VfioIommuGroup* group = find_iommu_group(*domain, iommu_group);
    if (!group) continue;

    kernel_.iommu.detach_group(domain->domain, group->iommu_group);
    update_dirty_scope = !group->pinned_page_dirty_scope;
    domain->group_list.remove_if(
        [&](const VfioIommuGroup& g) { return g.iommu_group == iommu_group; });

    // Group ownership provides privilege: an empty domain goes away. With the
    // last IOMMU domain the mappings go too, unless emulated groups remain.
    if (domain->group_list.empty()) {
      if (domain_list_.size() == 1) {
        if (emulated_iommu_groups_.empty()) {
          warn_on(!device_list_.empty(), "vfio_iommu_type1_detach_group: emulated devices remain");
          vfio_iommu_unmap_unpin_all();
        }
        else {
          vfio_iommu_unmap_unpin_reaccount();
        }
      }
      kernel_.iommu.domain_free(domain->domain);
      const bool noncoherent = !domain->enforce_cache_coherency;
      unlink_domain(domain, false);
      vfio_iommu_aper_expand(iova_copy);
      vfio_update_pgsize_bitmap();
      if (noncoherent) flush_on_leaving_noncoherent();
    }
    break;
  }

  if (!vfio_iommu_resv_refresh(iova_copy)) iova_list_ = std::move(iova_copy);

  // Removing a group without dirty tracking may promote the dirty scope.
  if (update_dirty_scope) {
    num_non_pinned_groups_--;
    if (dirty_page_tracking_) vfio_iommu_populate_bitmap_full();
  }
}

void VfioIommu::vfio_release_domain(VfioDomain& domain) {
  for (const VfioIommuGroup& group : domain.group_list)
    kernel_.iommu.detach_group(domain.domain, group.iommu_group);
  domain.group_list.clear();
  kernel_.iommu.domain_free(domain.domain);
}

void VfioIommu::release() {
  emulated_iommu_groups_.clear();
  vfio_iommu_unmap_unpin_all();
  for (auto domain = domain_list_.begin(); domain != domain_list_.end();) {
    vfio_release_domain(*domain);
    domain = unlink_domain(domain, true);
  }
  iova_list_.clear();
  released_ = true;
}

}  // namespace iocsim::vfio
