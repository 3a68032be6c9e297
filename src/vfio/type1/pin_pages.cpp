// SPDX-License-Identifier: GPL-2.0-only
// Pinning user pages into physically contiguous chunks, and locked-memory
// accounting (vfio_pin_pages_remote and friends): v6.9 takes a page at a
// time; v6.18 takes physically contiguous runs and unpins them a folio at a
// time (Li Zhe's 2025 series, commits 929bf010e059, f6c84a52cc41,
// d10872050ffe, 089722e8939e, d14de5b92578).
#include <cerrno>
#include <cstdlib>
#include <iterator>

#include <fmt/format.h>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {
namespace {

// VFIO_BATCH_MAX_CAPACITY: PAGE_SIZE / sizeof(struct page *)
constexpr unsigned kBatchMaxCapacity = PAGE_SIZE / sizeof(void*);

}  // namespace

int VfioIommu::vfio_lock_acct(VfioDma* dma, long npage, bool) {
  if (!npage) return 0;
  // The simulated processes never exit, so the async mmget_not_zero() that
  // returns -ESRCH for a dead mm always succeeds.
  bool warned = false;
  int ret = kernel_.host.account_locked_vm(*dma->mm, static_cast<uint64_t>(std::labs(npage)),
                                           npage > 0, *dma->task, dma->lock_cap, &warned);
  warn_on(warned, "__account_locked_vm: uncharging more pages than are locked");
  if (!ret) dma->locked_vm += static_cast<uint64_t>(npage);
  return ret;
}

bool VfioIommu::is_invalid_reserved_pfn(unsigned long pfn) {
  return kernel_.host.is_invalid_reserved_pfn(pfn);
}

int VfioIommu::put_pfn(unsigned long pfn, int prot) {
  if (!is_invalid_reserved_pfn(pfn)) {
    kernel_.host.unpin_user_page(pfn, prot & IOMMU_WRITE);
    return 1;
  }
  return 0;
}

long VfioIommu::vpfn_pages(const VfioDma* dma, dma_addr_t iova, long nr_pages) const {
  const auto from = dma->pfn_list.lower_bound(iova);
  const auto to = dma->pfn_list.lower_bound(iova + (static_cast<uint64_t>(nr_pages) << PAGE_SHIFT));
  return static_cast<long>(std::distance(from, to));
}

unsigned VfioIommu::num_pages_contiguous(const VfioBatch& batch) {
  unsigned n = 1;
  while (n < batch.size && batch.pages[batch.offset + n] == batch.pages[batch.offset] + n) ++n;
  return n;
}

void VfioIommu::charge_bookkeeping(uint64_t runs) {
  kernel_.host.cpu().compute(runs * kernel_.config.bookkeeping_picos);
}

void VfioIommu::vfio_batch_init(VfioBatch& batch) {
  batch.size = 0;
  batch.offset = 0;
  // Without the batch page (or with disable_hugepages) one embedded page is used.
  batch.capacity =
      kernel_.config.disable_hugepages || alloc_fails() ? 1 : kBatchMaxCapacity;
  batch.pages.assign(batch.capacity, 0);
}

void VfioIommu::vfio_batch_unpin(VfioBatch& batch, VfioDma* dma) {
  while (batch.size) {
    put_pfn(batch.pages[batch.offset], dma->prot);
    batch.offset++;
    batch.size--;
  }
}

long VfioIommu::vaddr_get_pfns(host::Process& mm, unsigned long vaddr, unsigned long npages,
                               int prot, unsigned long* pfn, VfioBatch& batch) {
  const unsigned long pin_pages = std::min<unsigned long>(npages, batch.capacity);
  std::vector<uint64_t> pfns;
  long ret = kernel_.faults.fire(FaultKind::pin);
  if (!ret) ret = kernel_.host.pin_user_pages_remote(mm, vaddr, pin_pages, prot & IOMMU_WRITE, pfns);
  if (ret > 0) {
    for (long i = 0; i < ret; ++i) batch.pages[static_cast<size_t>(i)] = pfns[static_cast<size_t>(i)];
    *pfn = batch.pages[0];
    batch.size = static_cast<unsigned>(ret);
    batch.offset = 0;
    return ret;
  }
  if (!ret) ret = -EFAULT;

  // Not pinnable: a VM_PFNMAP vma (a device BAR) is accepted one pfn at a
  // time, and only if the pfn has no struct page or is reserved.
  int error = 0;
  if (auto bar_pfn = kernel_.host.follow_pfnmap(mm, vaddr, prot & IOMMU_WRITE, &error)) {
    if (error) {
      ret = error;
    } else if (is_invalid_reserved_pfn(*bar_pfn)) {
      *pfn = *bar_pfn;
      ret = 1;
    } else {
      ret = -EFAULT;
    }
  }
  return ret;
}

long VfioIommu::vfio_pin_pages_remote(VfioDma* dma, unsigned long vaddr, unsigned long npage,
                                      unsigned long* pfn_base, unsigned long limit,
                                      VfioBatch& batch) {
  unsigned long pfn = 0;
  host::Process* mm = kernel_.current;
  long ret = 0, pinned = 0, lock_acct = 0;
  uint64_t runs = 0;  // passes of the loop below, for its CPU time
  bool rsvd = false;
  const bool v6_18 = kernel_.config.base == KernelBase::v6_18;
  dma_addr_t iova = vaddr - dma->vaddr + dma->iova;

  // This code path is only user initiated.
  if (!mm) return -ENODEV;

  if (batch.size) {
    // Leftover pages in batch from an earlier call.
    *pfn_base = batch.pages[batch.offset];
    pfn = *pfn_base;
    rsvd = is_invalid_reserved_pfn(*pfn_base);
  } else {
    *pfn_base = 0;
  }

  if (kernel_.config.disable_hugepages) npage = 1;

  while (npage) {
    if (!batch.size) {
      // Empty batch, so refill it.
      ret = vaddr_get_pfns(*mm, vaddr, npage, dma->prot, &pfn, batch);
      if (ret < 0) goto unpin_out;
      if (!*pfn_base) {
        *pfn_base = pfn;
        rsvd = is_invalid_reserved_pfn(*pfn_base);
      }

      // A PFNMAP pfn came without a page in the batch.
      if (!batch.size) {
        if (pfn != *pfn_base + static_cast<unsigned long>(pinned) || !rsvd) goto out;
        pinned += ret;
        npage -= static_cast<unsigned long>(ret);
        vaddr += PAGE_SIZE * static_cast<unsigned long>(ret);
        iova += PAGE_SIZE * static_cast<uint64_t>(ret);
        continue;
      }
    }

    // A page at a time (v6.9) or a run of consecutive frames at a time
    // (v6.18): a chunk ends at the first pfn that is not the next one, or
    // whose reservedness differs.
    while (true) {
      if (pfn != *pfn_base + static_cast<unsigned long>(pinned) ||
          rsvd != is_invalid_reserved_pfn(pfn))
        goto out;

      runs++;
      const unsigned nr_pages = v6_18 ? num_pages_contiguous(batch) : 1;
      // Reserved pages aren't counted against the user, externally pinned
      // pages are already counted against the user.
      long acct_pages = 0;
      if (!rsvd)
        acct_pages = v6_18 ? nr_pages - vpfn_pages(dma, iova, nr_pages)
                           : !vfio_find_vpfn(dma, iova);
      if (acct_pages) {
        if (!dma->lock_cap &&
            mm->locked_vm() + static_cast<unsigned long>(lock_acct + acct_pages) > limit) {
          kernel_.log.pr_warn(fmt::format("vfio_pin_pages_remote: RLIMIT_MEMLOCK ({}) exceeded",
                                          limit << PAGE_SHIFT));
          ret = -ENOMEM;
          goto unpin_out;
        }
        lock_acct += acct_pages;
      }

      pinned += nr_pages;
      npage -= nr_pages;
      vaddr += PAGE_SIZE * nr_pages;
      iova += PAGE_SIZE * nr_pages;
      batch.offset += nr_pages;
      batch.size -= nr_pages;

      if (!batch.size) break;

      pfn = batch.pages[batch.offset];
    }
  }

out:
  if (v6_18) dma->has_rsvd |= rsvd;
  ret = vfio_lock_acct(dma, lock_acct, false);

unpin_out:
  charge_bookkeeping(runs);
  if (ret < 0) {
    if (pinned && !rsvd) {
      for (pfn = *pfn_base; pinned; pfn++, pinned--) put_pfn(pfn, dma->prot);
    }
    vfio_batch_unpin(batch, dma);
    return ret;
  }
  return pinned;
}

long VfioIommu::vfio_unpin_pages_remote(VfioDma* dma, dma_addr_t iova, unsigned long pfn,
                                        long npage, bool do_accounting) {
  long unlocked = 0, locked = 0;

  // U1: the series flushes lazily here, right before the pages are put, for
  // every dma that was ever mapped into a non-coherent domain.
  if (dma->cache_flush_required)
    flush_cache(FlushPoint::unpin, static_cast<phys_addr_t>(pfn) << PAGE_SHIFT,
                static_cast<uint64_t>(npage) << PAGE_SHIFT);

  if (kernel_.config.base == KernelBase::v6_18) {
    // The externally pinned pages of the range are counted at once, and a
    // mapping without reserved pfns is unpinned a folio at a time.
    charge_bookkeeping(1);
    locked = vpfn_pages(dma, iova, npage);
    if (dma->has_rsvd) {
      for (long i = 0; i < npage; i++)
        if (put_pfn(pfn++, dma->prot)) unlocked++;
    } else {
      kernel_.host.unpin_user_page_range(pfn, static_cast<uint64_t>(npage), dma->prot & IOMMU_WRITE);
      unlocked = npage;
    }
  } else {
    charge_bookkeeping(static_cast<uint64_t>(npage));
    for (long i = 0; i < npage; i++, iova += PAGE_SIZE) {
      if (put_pfn(pfn++, dma->prot)) {
        unlocked++;
        if (vfio_find_vpfn(dma, iova)) locked++;
      }
    }
  }

  if (do_accounting) vfio_lock_acct(dma, locked - unlocked, true);

  return unlocked;
}

}  // namespace iocsim::vfio
