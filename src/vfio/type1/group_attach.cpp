// SPDX-License-Identifier: GPL-2.0-only
// Attaching a group: a new domain (merged into an existing compatible one
// when possible), the v6.9 fine-grained-superpage probe, and replay of the
// existing mappings into the new domain.
#include <cerrno>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

VfioIommuGroup* VfioIommu::find_iommu_group(VfioDomain& domain, GroupId iommu_group) {
  for (VfioIommuGroup& g : domain.group_list)
    if (g.iommu_group == iommu_group) return &g;
  return nullptr;
}

VfioIommuGroup* VfioIommu::vfio_iommu_find_iommu_group(GroupId iommu_group) {
  for (VfioDomain& domain : domain_list_)
    if (VfioIommuGroup* group = find_iommu_group(domain, iommu_group)) return group;
  for (VfioIommuGroup& group : emulated_iommu_groups_)
    if (group.iommu_group == iommu_group) return &group;
  return nullptr;
}

// Does unmapping half of a two-page mapping split it? AMD v1 page tables did
// not (they report fine-grained superpages), which made unmap_unpin skip its
// contiguity scan. Existed until v6.16.
void VfioIommu::vfio_test_domain_fgsp(VfioDomain& domain, const std::list<VfioIova>& regions) {
  auto pages = alloc_fails() ? std::nullopt : kernel_.host.alloc_pages_zeroed(1);
  if (!pages) return;
  const phys_addr_t phys = *pages << PAGE_SHIFT;

  // G1: the zeroed probe pages, before the domain can reach them.
  if (!domain.enforce_cache_coherency) flush_cache(FlushPoint::fgsp_before, phys, PAGE_SIZE * 2);

  for (const VfioIova& region : regions) {
    const dma_addr_t start = (region.start + PAGE_SIZE * 2 - 1) & ~(PAGE_SIZE * 2 - 1);
    if (start >= region.end || region.end - start < PAGE_SIZE * 2) continue;

    int ret = iommu_map(domain.domain, start, phys, PAGE_SIZE * 2,
                        IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE);
    if (!ret) {
      const uint64_t unmapped = iommu_unmap(domain.domain, start, PAGE_SIZE);
      if (unmapped == PAGE_SIZE)
        iommu_unmap(domain.domain, start + PAGE_SIZE, PAGE_SIZE);
      else
        domain.fgsp = true;
    }
    break;
  }

  // G2: again before the pages are freed, even if nothing was mapped.
  if (!domain.enforce_cache_coherency) flush_cache(FlushPoint::fgsp_after, phys, PAGE_SIZE * 2);

  kernel_.host.free_pages(*pages, 1);
}

int VfioIommu::vfio_iommu_replay(VfioDomain& domain) {
  VfioBatch batch;
  // Arbitrarily pick the first domain in the list for lookups.
  VfioDomain* d = domain_list_.empty() ? nullptr : &domain_list_.front();
  const unsigned long limit = current().memlock_limit() >> PAGE_SHIFT;
  int ret = 0;

  vfio_batch_init(batch);

  auto n = dma_list_.begin();
  for (; n != dma_list_.end(); ++n) {
    VfioDma* dma = n->second.get();

    // R1: a dma replayed into a non-coherent domain becomes marked; one
    // already marked is neither flushed nor marked again.
    const bool set_noncoherent = !domain.enforce_cache_coherency && !dma->cache_flush_required;
    if (set_noncoherent) dma->cache_flush_required = true;

    dma_addr_t iova = dma->iova;
    while (within(*dma, iova)) {
      phys_addr_t phys;
      uint64_t size;

      if (dma->iommu_mapped) {
        if (warn_on(!d, "vfio_iommu_replay: mapped without a domain")) {
          ret = -EINVAL;
          goto unwind;
        }
        phys = kernel_.iommu.iova_to_phys(d->domain, iova);
        if (warn_on(!phys, "vfio_iommu_replay: no translation for a mapped iova")) {
          iova += PAGE_SIZE;
          continue;
        }
        size = PAGE_SIZE;
        phys_addr_t p = phys + size;
        dma_addr_t i = iova + size;
        while (within(*dma, i) && p == kernel_.iommu.iova_to_phys(d->domain, i)) {
          size += PAGE_SIZE;
          p += PAGE_SIZE;
          i += PAGE_SIZE;
        }
      } else {
        unsigned long pfn;
        const unsigned long vaddr = dma->vaddr + (iova - dma->iova);
        const uint64_t remaining = dma->iova + dma->size - iova;
        const long npage =
            vfio_pin_pages_remote(dma, vaddr, remaining >> PAGE_SHIFT, &pfn, limit, batch);
        if (npage <= 0) {
          warn_on(!npage, "vfio_iommu_replay: pinned nothing");
          ret = static_cast<int>(npage);
          goto unwind;
        }
        phys = static_cast<phys_addr_t>(pfn) << PAGE_SHIFT;
        size = static_cast<uint64_t>(npage) << PAGE_SHIFT;
      }

      // R2: flush the run before the new non-coherent domain can reach it.
      if (set_noncoherent) flush_cache(FlushPoint::replay, phys, size);

      ret = iommu_map(domain.domain, iova, phys, size, dma->prot | IOMMU_CACHE);
      if (ret) {
        if (!dma->iommu_mapped) {
          vfio_unpin_pages_remote(dma, iova, phys >> PAGE_SHIFT,
                                  static_cast<long>(size >> PAGE_SHIFT), true);
          vfio_batch_unpin(batch, dma);
        }
        goto unwind;
      }

      iova += size;
    }
  }

  // All dmas are now mapped; deferred to a second walk so that the unwind
  // can tell which entries this replay pinned.
  for (auto& entry : dma_list_) {
    dma_digest_.changing(entry.second.get());
    entry.second->iommu_mapped = true;
  }
  return 0;

unwind:
  for (;; --n) {
    VfioDma* dma = n->second.get();
    if (dma->iommu_mapped) {
      iommu_unmap(domain.domain, dma->iova, dma->size);
    } else {
      dma_addr_t iova = dma->iova;
      while (within(*dma, iova)) {
        const phys_addr_t phys = kernel_.iommu.iova_to_phys(domain.domain, iova);
        if (!phys) {
          // The kernel steps a page at a time to the next translation.
          auto next = kernel_.iommu.first_mapped(domain.domain, iova, dma->iova + dma->size - 1);
          if (!next) break;
          iova = *next;
          continue;
        }
        uint64_t size = PAGE_SIZE;
        phys_addr_t p = phys + size;
        dma_addr_t i = iova + size;
        while (within(*dma, i) && p == kernel_.iommu.iova_to_phys(domain.domain, i)) {
          size += PAGE_SIZE;
          p += PAGE_SIZE;
          i += PAGE_SIZE;
        }
        // The kernel does not advance here: the next lookup finds the range
        // unmapped and steps past it a page at a time.
        iommu_unmap(domain.domain, iova, size);
        vfio_unpin_pages_remote(dma, iova, phys >> PAGE_SHIFT,
                                static_cast<long>(size >> PAGE_SHIFT), true);
      }
      // R3: unmarked again once unpinned (not for mapped entries, which
      // the kernel skips with `continue`).
      dma->cache_flush_required = false;
    }
    if (n == dma_list_.begin()) break;
  }
  return ret;
}

int VfioIommu::attach_group(GroupId iommu_group, GroupType type) {
  std::list<VfioIova> iova_copy;
  std::vector<ResvRegion> group_resv_regions;
  phys_addr_t resv_msi_base = 0;
  bool resv_msi = false;
  DomainGeometry geo;
  DomainAlloc alloc;
  VfioDomain domain;
  int ret;

  // Attach could require pinning, so disallow while vaddr is invalid.
  if (vaddr_invalid_count_) return -EBUSY;

  // Check for duplicates.
  if (vfio_iommu_find_iommu_group(iommu_group)) return -EINVAL;

  if (alloc_fails()) return -ENOMEM;  // the vfio_iommu_group

  if (type == GroupType::emulated) {
    // An emulated group cannot dirty memory directly; it only uses
    // interfaces that track dirtiness.
    emulated_iommu_groups_.push_front({iommu_group, true});
    return 0;
  }

  if (alloc_fails()) return -ENOMEM;  // the vfio_domain

  // The IOMMU driver's domain allocation can fail too.
  alloc = alloc_fails() ? DomainAlloc{0, -ENOMEM} : kernel_.iommu.paging_domain_alloc(iommu_group);
  if (alloc.error) {
    // v6.9 used iommu_domain_alloc(), which returns NULL: -EIO.
    return kernel_.config.base == KernelBase::v6_9 ? -EIO : alloc.error;
  }
  domain.domain = alloc.domain;

  ret = kernel_.iommu.attach_group(domain.domain, iommu_group);
  if (ret) goto out_domain;

  // Get aperture info.
  geo = kernel_.iommu.geometry(domain.domain);
  if (vfio_iommu_aper_conflict(geo.aperture_start, geo.aperture_end)) {
    ret = -EINVAL;
    goto out_detach;
  }

  ret = kernel_.iommu.get_group_resv_regions(iommu_group, group_resv_regions);
  if (ret) goto out_detach;

  if (vfio_iommu_resv_conflict(group_resv_regions)) {
    ret = -EINVAL;
    goto out_detach;
  }

  // Work on a copy: the original list stays if the attach fails.
  ret = vfio_iommu_iova_get_copy(iova_copy);
  if (ret) goto out_detach;
  ret = vfio_iommu_aper_resize(iova_copy, geo.aperture_start, geo.aperture_end);
  if (ret) goto out_detach;
  ret = vfio_iommu_resv_exclude(iova_copy, group_resv_regions);
  if (ret) goto out_detach;

  resv_msi = vfio_iommu_has_sw_msi(group_resv_regions, &resv_msi_base);

  domain.group_list.push_front({iommu_group, false});

  if (!kernel_.config.allow_unsafe_interrupts &&
      !kernel_.iommu.group_has_isolated_msi(iommu_group)) {
    kernel_.log.pr_warn(
        "vfio_iommu_type1_attach_group: No interrupt remapping support.  Use the module param "
        "\"allow_unsafe_interrupts\" to enable VFIO IOMMU support on this platform");
    ret = -EPERM;
    goto out_detach;
  }

  // If the IOMMU can block non-coherent operations (PCIe TLPs with No-Snoop)
  // VFIO always turns this on.
  if (kernel_.iommu.has_enforce_cache_coherency(domain.domain))
    domain.enforce_cache_coherency = kernel_.iommu.enforce_cache_coherency(domain.domain);

  // Try to match an existing compatible domain: same iommu_ops, same coherency.
  for (VfioDomain& d : domain_list_) {
    if (kernel_.iommu.ops(d.domain) == kernel_.iommu.ops(domain.domain) &&
        d.enforce_cache_coherency == domain.enforce_cache_coherency) {
      kernel_.iommu.detach_group(domain.domain, iommu_group);
      if (!kernel_.iommu.attach_group(d.domain, iommu_group)) {
        d.group_list.push_front({iommu_group, false});
        kernel_.iommu.domain_free(domain.domain);
        goto done;
      }
      ret = kernel_.iommu.attach_group(domain.domain, iommu_group);
      if (ret) goto out_domain;
    }
  }

  if (kernel_.config.base == KernelBase::v6_9) vfio_test_domain_fgsp(domain, iova_copy);

  // Replay mappings on the new domain.
  ret = vfio_iommu_replay(domain);
  if (ret) goto out_detach;

  if (resv_msi) {
    ret = kernel_.iommu.get_msi_cookie(domain.domain, resv_msi_base);
    if (ret && ret != -ENODEV) goto out_detach;
  }

  link_domain(std::move(domain));
  vfio_update_pgsize_bitmap();

done:
  // Replace the iova list by the new one.
  iova_list_ = std::move(iova_copy);

  // An IOMMU-backed group can dirty memory directly; it demotes the dirty
  // scope until it declares itself through the page pinning interface.
  num_non_pinned_groups_++;
  return 0;

out_detach:
  kernel_.iommu.detach_group(domain.domain, iommu_group);
out_domain:
  kernel_.iommu.domain_free(domain.domain);
  return ret;
}

}  // namespace iocsim::vfio
