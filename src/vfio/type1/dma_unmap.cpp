// SPDX-License-Identifier: GPL-2.0-only
// Unmapping and unpinning: vfio_unmap_unpin with its fast (gathered IOTLB
// sync) and slow paths, vfio_remove_dma, and VFIO_IOMMU_UNMAP_DMA.
#include <cerrno>
#include <stdexcept>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

long VfioIommu::vfio_sync_unpin(VfioDma* dma, VfioDomain& domain, std::vector<Region>& regions,
                                IotlbGather& gather) {
  long unlocked = 0;
  kernel_.iommu.iotlb_sync(domain.domain, gather);
  // Pages are unpinned only once the IOTLB can no longer reach them.
  for (const Region& entry : regions)
    unlocked += vfio_unpin_pages_remote(dma, entry.iova, entry.phys >> PAGE_SHIFT,
                                        static_cast<long>(entry.len >> PAGE_SHIFT), false);
  regions.clear();
  return unlocked;
}

uint64_t VfioIommu::unmap_unpin_fast(VfioDomain& domain, VfioDma* dma, dma_addr_t* iova,
                                     uint64_t len, phys_addr_t phys, long* unlocked,
                                     std::vector<Region>& unmapped_list, int* unmapped_cnt,
                                     IotlbGather& gather) {
  uint64_t unmapped = 0;
  // Without a region entry to remember the pages by, the fast path is skipped.
  if (!alloc_fails()) unmapped = iommu_unmap_fast(domain.domain, *iova, len, gather);
  if (unmapped) {
    unmapped_list.push_back({*iova, phys, unmapped});
    *iova += unmapped;
    (*unmapped_cnt)++;
  }
  // Sync if the number of fast-unmap regions hits the limit or in case of errors.
  if (*unmapped_cnt >= VFIO_IOMMU_TLB_SYNC_MAX || !unmapped) {
    *unlocked += vfio_sync_unpin(dma, domain, unmapped_list, gather);
    *unmapped_cnt = 0;
  }
  return unmapped;
}

uint64_t VfioIommu::unmap_unpin_slow(VfioDomain& domain, VfioDma* dma, dma_addr_t* iova,
                                     uint64_t len, phys_addr_t phys, long* unlocked) {
  uint64_t unmapped = iommu_unmap(domain.domain, *iova, len);
  if (unmapped) {
    *unlocked += vfio_unpin_pages_remote(dma, *iova, phys >> PAGE_SHIFT,
                                         static_cast<long>(unmapped >> PAGE_SHIFT), false);
    *iova += unmapped;
  }
  return unmapped;
}

long VfioIommu::vfio_unmap_unpin(VfioDma* dma, bool do_accounting) {
  dma_addr_t iova = dma->iova;
  std::vector<Region> unmapped_region_list;
  IotlbGather iotlb_gather;
  int unmapped_region_cnt = 0;
  long unlocked = 0;

  if (!dma->size) return 0;
  if (domain_list_.empty()) return 0;

  // The IOMMU tracks the physical addresses: the first domain is walked to
  // find the pfns to unpin; the others are unmapped in advance so that no
  // translation remains when the pages are unpinned.
  VfioDomain& domain = domain_list_.front();
  for (auto d = std::next(domain_list_.begin()); d != domain_list_.end(); ++d)
    iommu_unmap(d->domain, dma->iova, dma->size);

  while (within(*dma, iova)) {
    const phys_addr_t phys = kernel_.iommu.iova_to_phys(domain.domain, iova);
    if (warn_on(!phys, "vfio_unmap_unpin: no translation for a mapped iova")) {
      iova += PAGE_SIZE;
      continue;
    }

    // Find the largest physically contiguous chunk to unmap, to make fewer
    // iommu_unmap() calls (v6.9 skipped this on fine-grained-superpage domains).
    uint64_t len;
    for (len = PAGE_SIZE; !domain.fgsp && within(*dma, iova + len); len += PAGE_SIZE) {
      const phys_addr_t next = kernel_.iommu.iova_to_phys(domain.domain, iova + len);
      if (next != phys + len) break;
    }

    // First try the fast unmap/unpin; on failure fall back to the slow path.
    uint64_t unmapped = unmap_unpin_fast(domain, dma, &iova, len, phys, &unlocked,
                                         unmapped_region_list, &unmapped_region_cnt,
                                         iotlb_gather);
    if (!unmapped) {
      unmapped = unmap_unpin_slow(domain, dma, &iova, len, phys, &unlocked);
      if (warn_on(!unmapped, "vfio_unmap_unpin: iommu_unmap unmapped nothing")) break;
    }
  }

  dma_digest_.changing(dma);
  dma->iommu_mapped = false;

  if (unmapped_region_cnt)
    unlocked += vfio_sync_unpin(dma, domain, unmapped_region_list, iotlb_gather);

  // U2: the series clears the flag once everything is unpinned.
  dma->cache_flush_required = false;

  if (do_accounting) {
    vfio_lock_acct(dma, -unlocked, true);
    return 0;
  }
  return unlocked;
}

void VfioIommu::vfio_remove_dma(VfioDma* dma) {
  warn_on(!dma->pfn_list.empty(), "vfio_remove_dma: external pins remain");
  vfio_unmap_unpin(dma, true);
  const bool invalid = dma->vaddr_invalid;
  vfio_unlink_dma(dma);  // frees the dma
  if (invalid) vaddr_invalid_count_--;
  dma_avail_++;
}

int VfioIommu::vfio_dma_do_unmap(DmaUnmapArgs& unmap, DirtyBitmap* bitmap) {
  uint64_t unmapped = 0;
  int ret = -EINVAL;
  const dma_addr_t iova = unmap.iova;
  uint64_t size = unmap.size;
  const bool unmap_all = unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL;
  const bool invalidate_vaddr = unmap.flags & VFIO_DMA_UNMAP_FLAG_VADDR;
  const bool get_dirty = unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
  const bool v6_18 = kernel_.config.base == KernelBase::v6_18;
  dma_addr_t last;  // inclusive end of the request
  uint64_t pgsize;
  const VfioDma* dma_last = nullptr;
  int retries = 0;

  // Cannot update vaddr if mdev is present.
  if (invalidate_vaddr && !emulated_iommu_groups_.empty()) {
    ret = -EBUSY;
    goto unlock;
  }

  pgsize = uint64_t{1} << ffs64(pgsize_bitmap_);

  if (iova & (pgsize - 1)) goto unlock;

  if (unmap_all) {
    if (iova || size) goto unlock;
    size = UINT64_MAX;
    last = UINT64_MAX;
  } else {
    if (!size || size & (pgsize - 1)) goto unlock;
    if (iova + size - 1 < iova) {
      // v6.18-rc4 reports a wrapping range as EOVERFLOW; before, EINVAL.
      if (v6_18) ret = -EOVERFLOW;
      goto unlock;
    }
    last = iova + size - 1;
  }

  // When dirty tracking is enabled, allow only the min supported pgsize.
  if (get_dirty && (!dirty_page_tracking_ || bitmap->pgsize != pgsize)) goto unlock;

  warn_on((pgsize - 1) & PAGE_MASK, "vfio_dma_do_unmap: pgsize below PAGE_SIZE");

again:
  // v1 kept the IOMMU's granularity and lets any range be attempted; v2 must
  // not bisect a mapping.
  if (v2_ && !unmap_all) {
    VfioDma* dma = vfio_find_dma(iova, 1);
    if (dma && dma->iova != iova) goto unlock;
    dma = vfio_find_dma(last, 0);
    if (dma && dma->iova + (dma->size - 1) != last) goto unlock;
  }

  ret = 0;
  {
    const auto first_n = vfio_find_dma_first_node(iova, size);
    auto n = first_n;
    while (n != dma_list_.end()) {
      VfioDma* dma = n->second.get();
      if (dma->iova > last) break;

      if (!v2_ && iova > dma->iova) break;

      if (invalidate_vaddr) {
        if (dma->vaddr_invalid) {
          // Roll back only what this call invalidated.
          for (auto m = first_n; m != n; ++m) {
            dma_digest_.changing(m->second.get());
            m->second->vaddr_invalid = false;
            vaddr_invalid_count_--;
          }
          ret = -EINVAL;
          unmapped = 0;
          break;
        }
        dma_digest_.changing(dma);
        dma->vaddr_invalid = true;
        vaddr_invalid_count_++;
        unmapped += dma->size;
        ++n;
        continue;
      }

      // Emulated devices still hold pins here: have their drivers drop them
      // (the lock is released meanwhile, so start over).
      if (!dma->pfn_list.empty()) {
        if (dma_last == dma) {
          if (++retries > 10)
            throw std::logic_error("kernel BUG in vfio_dma_do_unmap: mdev pins never released");
        } else {
          dma_last = dma;
          retries = 0;
        }
        vfio_notify_dma_unmap(dma);
        goto again;
      }

      if (get_dirty) {
        ret = update_user_bitmap(*bitmap, dma, iova, pgsize);
        if (ret) break;
      }

      unmapped += dma->size;
      n = std::next(n);
      vfio_remove_dma(dma);
    }
  }

unlock:
  // Report how much was unmapped.
  unmap.size = unmapped;
  return ret;
}

int VfioIommu::unmap_dma(DmaUnmapDirtyArgs& args) {
  DmaUnmapArgs& unmap = args.unmap;
  const uint32_t mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | VFIO_DMA_UNMAP_FLAG_VADDR |
                        VFIO_DMA_UNMAP_FLAG_ALL;
  if (unmap.argsz < kDmaUnmapMinsz || unmap.flags & ~mask) return -EINVAL;
  if ((unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
      (unmap.flags & (VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR)))
    return -EINVAL;
  if (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
    if (unmap.argsz < kDmaUnmapMinsz + kBitmapSize) return -EINVAL;
    // __ffs(0) is undefined in the kernel; a zero page size describes no bitmap.
    if (!args.bitmap.pgsize) return -EINVAL;
    const uint64_t npages = unmap.size >> ffs64(args.bitmap.pgsize);
    if (!npages || !args.bitmap.size || args.bitmap.size > kDirtyBitmapSizeMax ||
        args.bitmap.size < dirty_bitmap_bytes(npages))
      return -EINVAL;
  }
  DmaUnmapArgs work = unmap;
  const int ret = vfio_dma_do_unmap(work, &args.bitmap);
  if (ret) return ret;  // nothing is copied back on error
  unmap.size = work.size;
  return 0;
}

int VfioIommu::unmap_dma(DmaUnmapArgs& args) {
  DmaUnmapDirtyArgs with_bitmap{args, {}};
  const int ret = unmap_dma(with_bitmap);
  args.size = with_bitmap.unmap.size;
  return ret;
}

}  // namespace iocsim::vfio
