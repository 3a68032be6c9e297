// SPDX-License-Identifier: GPL-2.0-only
// VFIO_IOMMU_MAP_DMA: validation, pin-and-map chunk by chunk into every
// domain (newest first, undone on failure), and VADDR re-ownership.
#include <cerrno>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

int VfioIommu::vfio_iommu_map(dma_addr_t iova, unsigned long pfn, long npage, int prot) {
  const uint64_t size = static_cast<uint64_t>(npage) << PAGE_SHIFT;
  for (auto d = domain_list_.begin(); d != domain_list_.end(); ++d) {
    int ret = iommu_map(d->domain, iova, static_cast<phys_addr_t>(pfn) << PAGE_SHIFT, size,
                        prot | IOMMU_CACHE);
    if (ret) {
      // Undo the domains already mapped, in reverse order.
      while (d != domain_list_.begin()) {
        --d;
        iommu_unmap(d->domain, iova, size);
      }
      return ret;
    }
  }
  return 0;
}

int VfioIommu::vfio_pin_map_dma(VfioDma* dma, uint64_t map_size) {
  const dma_addr_t iova = dma->iova;
  const unsigned long vaddr = dma->vaddr;
  VfioBatch batch;
  uint64_t size = map_size;
  long npage;
  unsigned long pfn;
  const unsigned long limit = current().memlock_limit() >> PAGE_SHIFT;
  int ret = 0;
  dma_digest_.changing(dma);  // its size grows, it becomes mapped

  // P1: the series marks the dma before the first chunk, so that every
  // unwind below unpins through the flushing path.
  dma->cache_flush_required = has_noncoherent_domain();

  vfio_batch_init(batch);

  while (size) {
    // Pin a contiguous chunk of memory.
    npage = vfio_pin_pages_remote(dma, vaddr + dma->size, size >> PAGE_SHIFT, &pfn, limit,
                                  batch);
    if (npage <= 0) {
      warn_on(!npage, "vfio_pin_map_dma: pinned nothing");
      ret = static_cast<int>(npage);
      break;
    }

    // P2: flush the chunk before any domain can reach it; once per chunk,
    // however many domains it is mapped into.
    if (dma->cache_flush_required)
      flush_cache(FlushPoint::map, static_cast<phys_addr_t>(pfn) << PAGE_SHIFT,
                  static_cast<uint64_t>(npage) << PAGE_SHIFT);

    // Map it!
    ret = vfio_iommu_map(iova + dma->size, pfn, npage, dma->prot);
    if (ret) {
      vfio_unpin_pages_remote(dma, iova + dma->size, pfn, npage, true);
      vfio_batch_unpin(batch, dma);
      break;
    }

    size -= static_cast<uint64_t>(npage) << PAGE_SHIFT;
    dma->size += static_cast<uint64_t>(npage) << PAGE_SHIFT;
  }

  dma->iommu_mapped = true;

  if (ret) vfio_remove_dma(dma);

  return ret;
}

bool VfioIommu::vfio_iommu_iova_dma_valid(dma_addr_t start, dma_addr_t end) {
  for (const VfioIova& node : iova_list_)
    if (start >= node.start && end <= node.end) return true;
  // A container with only an mdev has an empty list.
  return iova_list_.empty();
}

int VfioIommu::vfio_change_dma_owner(VfioDma* dma) {
  host::Process& task = current();
  host::Process& mm = current();
  const uint64_t npage = dma->locked_vm;

  if (&mm == dma->mm) return 0;

  const bool lock_cap = task.cap_ipc_lock();
  int ret = kernel_.host.account_locked_vm(mm, npage, true, task, lock_cap);
  if (ret) return ret;

  bool warned = false;
  kernel_.host.account_locked_vm(*dma->mm, npage, false, *dma->task, dma->lock_cap, &warned);
  warn_on(warned, "__account_locked_vm: uncharging more pages than are locked");

  dma->task = &task;
  dma->mm = &mm;
  dma->lock_cap = lock_cap;
  return 0;
}

int VfioIommu::vfio_dma_do_map(const DmaMapArgs& map) {
  const bool set_vaddr = map.flags & VFIO_DMA_MAP_FLAG_VADDR;
  const dma_addr_t iova = map.iova;
  const unsigned long vaddr = map.vaddr;
  const uint64_t size = map.size;
  const bool v6_18 = kernel_.config.base == KernelBase::v6_18;
  int prot = 0;

  // v6.18-rc4: a zero size and wrapping ranges are rejected before the flags.
  if (v6_18) {
    if (!size) return -EINVAL;
    if (iova + size - 1 < iova || vaddr + size - 1 < vaddr) return -EOVERFLOW;
  }

  // READ/WRITE from the device's perspective.
  if (map.flags & VFIO_DMA_MAP_FLAG_WRITE) prot |= IOMMU_WRITE;
  if (map.flags & VFIO_DMA_MAP_FLAG_READ) prot |= IOMMU_READ;

  if ((prot && set_vaddr) || (!prot && !set_vaddr)) return -EINVAL;

  const uint64_t pgsize = uint64_t{1} << ffs64(pgsize_bitmap_);
  warn_on((pgsize - 1) & PAGE_MASK, "vfio_dma_do_map: pgsize below PAGE_SIZE");

  if (!size || (size | iova | vaddr) & (pgsize - 1)) return -EINVAL;

  // Don't allow IOVA or virtual address wrap (v6.9).
  if (iova + size - 1 < iova || vaddr + size - 1 < vaddr) return -EINVAL;

  VfioDma* dma = vfio_find_dma(iova, size);
  if (set_vaddr) {
    if (!dma) return -ENOENT;
    if (!dma->vaddr_invalid || dma->iova != iova || dma->size != size) return -EINVAL;
    int ret = vfio_change_dma_owner(dma);
    if (ret) return ret;
    dma_digest_.changing(dma);
    dma->vaddr = vaddr;
    dma->vaddr_invalid = false;
    vaddr_invalid_count_--;
    return 0;
  }
  if (dma) return -EEXIST;

  if (!dma_avail_) return -ENOSPC;

  if (!vfio_iommu_iova_dma_valid(iova, iova + size - 1)) return -EINVAL;

  if (alloc_fails()) return -ENOMEM;
  auto fresh = std::make_unique<VfioDma>();
  dma_avail_--;
  fresh->iova = iova;
  fresh->vaddr = vaddr;
  fresh->prot = prot;
  // RLIMIT_MEMLOCK and locked_vm are the mapping task's (its group leader's).
  fresh->task = &current();
  fresh->lock_cap = current().cap_ipc_lock();
  fresh->mm = &current();

  // Insert zero-sized and grow as chunks are mapped.
  dma = vfio_link_dma(std::move(fresh));

  // Don't pin and map if the container has no IOMMU-capable domain.
  int ret = 0;
  if (domain_list_.empty()) {
    dma_digest_.changing(dma);
    dma->size = size;
  }
  else
    ret = vfio_pin_map_dma(dma, size);

  if (!ret && dirty_page_tracking_) {
    ret = vfio_dma_bitmap_alloc(dma, pgsize);
    if (ret) vfio_remove_dma(dma);
  }
  return ret;
}

int VfioIommu::map_dma(const DmaMapArgs& args) {
  const uint32_t mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR;
  if (args.argsz < kDmaMapMinsz || args.flags & ~mask) return -EINVAL;
  return vfio_dma_do_map(args);
}

}  // namespace iocsim::vfio
