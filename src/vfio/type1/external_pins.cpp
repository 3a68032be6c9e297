// SPDX-License-Identifier: GPL-2.0-only
// The external pinning interface used by emulated (mdev) device drivers:
// vfio_pin_pages()/vfio_unpin_pages() on a container, the per-dma list of
// such pins, and the dma_unmap callbacks that make drivers drop them.
#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

int VfioIommu::vfio_iova_put_vfio_pfn(VfioDma* dma, VfioPfn* vpfn) {
  int ret = 0;
  dma_digest_.changing(dma);
  if (--vpfn->ref_count == 0) {
    ret = put_pfn(vpfn->pfn, dma->prot);
    dma->pfn_list.erase(vpfn->iova);
  }
  return ret;
}

int VfioIommu::vfio_pin_page_external(VfioDma* dma, unsigned long vaddr,
                                      unsigned long* pfn_base, bool do_accounting) {
  VfioBatch batch;  // a single-page batch: no allocation
  batch.capacity = 1;
  batch.pages.assign(1, 0);
  long ret = vaddr_get_pfns(*dma->mm, vaddr, 1, dma->prot, pfn_base, batch);
  if (ret != 1) return static_cast<int>(ret);

  ret = 0;
  if (do_accounting && !is_invalid_reserved_pfn(*pfn_base)) {
    ret = vfio_lock_acct(dma, 1, false);
    if (ret) {
      put_pfn(*pfn_base, dma->prot);
      if (ret == -ENOMEM)
        kernel_.log.pr_warn(fmt::format(
            "vfio_pin_page_external: Task {} RLIMIT_MEMLOCK ({}) exceeded", dma->task->name(),
            dma->task->memlock_limit()));
    }
  }
  return static_cast<int>(ret);
}

int VfioIommu::vfio_unpin_page_external(VfioDma* dma, dma_addr_t iova, bool do_accounting) {
  VfioPfn* vpfn = vfio_find_vpfn(dma, iova);
  if (!vpfn) return 0;
  const int unlocked = vfio_iova_put_vfio_pfn(dma, vpfn);
  if (do_accounting) vfio_lock_acct(dma, -unlocked, true);
  return unlocked;
}

int VfioIommu::pin_pages(GroupId iommu_group, dma_addr_t user_iova, int npage, int prot,
                         std::vector<unsigned long>& pages) {
  // Supported for v2 only.
  if (!v2_) return -EACCES;
  if (warn_on(vaddr_invalid_count_ != 0, "vfio_pin_pages not allowed with VFIO_UPDATE_VADDR"))
    return -EBUSY;
  // Fail if no dma_unmap notifier is registered.
  if (device_list_.empty()) return -EINVAL;

  // With an IOMMU-backed domain every page is already pinned and accounted;
  // without one, these pins are what is accounted.
  const bool do_accounting = domain_list_.empty();
  pages.assign(static_cast<size_t>(npage), 0);
  int i;
  int ret = 0;
  for (i = 0; i < npage; i++) {
    const dma_addr_t iova = user_iova + PAGE_SIZE * static_cast<uint64_t>(i);
    VfioDma* dma = vfio_find_dma(iova, PAGE_SIZE);
    if (!dma) {
      ret = -EINVAL;
      goto pin_unwind;
    }
    if ((dma->prot & prot) != prot) {
      ret = -EPERM;
      goto pin_unwind;
    }
    if (VfioPfn* vpfn = vfio_find_vpfn(dma, iova)) {
      dma_digest_.changing(dma);
      vpfn->ref_count++;
      pages[static_cast<size_t>(i)] = vpfn->pfn;
      continue;
    }
    unsigned long phys_pfn = 0;
    ret = vfio_pin_page_external(dma, dma->vaddr + (iova - dma->iova), &phys_pfn,
                                 do_accounting);
    if (ret) goto pin_unwind;
    if (!kernel_.host.pfn_valid(phys_pfn)) {
      ret = -EINVAL;
      goto pin_unwind;
    }
    if (alloc_fails()) {  // the vfio_pfn
      ret = -ENOMEM;
      if (put_pfn(phys_pfn, dma->prot) && do_accounting) vfio_lock_acct(dma, -1, true);
      goto pin_unwind;
    }
    dma_digest_.changing(dma);
    dma->pfn_list[iova] = VfioPfn{iova, phys_pfn, 1};
    pages[static_cast<size_t>(i)] = phys_pfn;
    if (dirty_page_tracking_) dma->bitmap[(iova - dma->iova) >> ffs64(pgsize_bitmap_)] = true;
  }
  ret = i;
  if (VfioIommuGroup* group = vfio_iommu_find_iommu_group(iommu_group);
      group && !group->pinned_page_dirty_scope) {
    group->pinned_page_dirty_scope = true;
    num_non_pinned_groups_--;
  }
  return ret;

pin_unwind:
  pages[static_cast<size_t>(i)] = 0;
  for (int j = 0; j < i; j++) {
    const dma_addr_t iova = user_iova + PAGE_SIZE * static_cast<uint64_t>(j);
    vfio_unpin_page_external(vfio_find_dma(iova, PAGE_SIZE), iova, do_accounting);
    pages[static_cast<size_t>(j)] = 0;
  }
  return ret;
}

void VfioIommu::unpin_pages(dma_addr_t user_iova, int npage) {
  if (warn_on(!v2_, "vfio_unpin_pages on a v1 container")) return;
  const bool do_accounting = domain_list_.empty();
  int i;
  for (i = 0; i < npage; i++) {
    const dma_addr_t iova = user_iova + PAGE_SIZE * static_cast<uint64_t>(i);
    VfioDma* dma = vfio_find_dma(iova, PAGE_SIZE);
    if (!dma) break;
    vfio_unpin_page_external(dma, iova, do_accounting);
  }
  warn_on(i != npage, "vfio_unpin_pages: pages outside any mapping");
}

void VfioIommu::register_device(EmulatedDevice* device) { device_list_.push_back(device); }

void VfioIommu::unregister_device(EmulatedDevice* device) {
  device_list_.erase(std::remove(device_list_.begin(), device_list_.end(), device),
                     device_list_.end());
}

// Drivers must unpin every page they pinned in the range.
void VfioIommu::vfio_notify_dma_unmap(VfioDma* dma) {
  const dma_addr_t iova = dma->iova;
  const uint64_t size = dma->size;
  for (EmulatedDevice* device : std::vector<EmulatedDevice*>(device_list_))
    device->dma_unmap(iova, size);
}

}  // namespace iocsim::vfio
