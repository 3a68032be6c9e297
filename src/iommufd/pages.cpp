// SPDX-License-Identifier: GPL-2.0-only
// drivers/iommu/iommufd/pages.c: pinning an area's pages, filling them into
// domains and taking them out again, the locked-memory accounting, and
// patch 5/5's flushes (iopt_cache_flush_pfn_batch before a fill maps a
// batch, and in batch_unpin before pages are put).
#include <algorithm>
#include <cerrno>

#include "iommufd/io_pagetable.h"

namespace iocsim::iommufd {
namespace {

using vfio::PAGE_SHIFT;
using vfio::PAGE_SIZE;

// pfn_reader_user_pin() pins at most what its page-pointer array holds:
// TEMP_MEMORY_LIMIT (64 KiB) of pointers, or one page of them when that
// allocation fails (temp_kmalloc()).
constexpr uint64_t kPinChunk = 65536 / sizeof(void*);
constexpr uint64_t kPinChunkFallback = PAGE_SIZE / sizeof(void*);

// iopt_area_index_to_iova(): the first byte the page `index` maps.
dma_addr_t index_to_iova(const IoptArea& area, uint64_t index) {
  if (index == area.first_index) return area.iova;
  return area.iova + (index - area.first_index) * PAGE_SIZE - area.page_offset;
}

// iopt_area_index_to_iova_last()
dma_addr_t index_to_iova_last(const IoptArea& area, uint64_t index) {
  if (index == area.last_index) return area.last;
  return area.iova + (index - area.first_index + 1) * PAGE_SIZE - area.page_offset - 1;
}

void add_pfn(IoPagetable::PfnBatch& batch, uint64_t index, uint64_t pfn) {
  if (!batch.empty()) {
    auto& run = batch.back();
    if (run.index + run.npfns == index && run.pfn + run.npfns == pfn) {
      ++run.npfns;
      return;
    }
  }
  batch.push_back({index, pfn, 1});
}

}  // namespace

std::shared_ptr<IoptPages> IoPagetable::iopt_alloc_pages(uint64_t uptr, uint64_t length,
                                                         bool writable, int* err) {
  // The iommu API takes size_t lengths; DIV_ROUND_UP below must not overflow.
  if (length > UINT64_MAX - PAGE_SIZE || length == 0) {
    *err = -EINVAL;
    return nullptr;
  }
  if (alloc_fails()) {
    *err = -ENOMEM;
    return nullptr;
  }
  host::Process& current = *kernel_.current;
  auto pages = std::make_shared<IoptPages>();
  pages->source_mm = &current;
  pages->source_task = &current;
  pages->source_user = &current;
  pages->uptr = uptr & vfio::PAGE_MASK;
  pages->npages = (length + (uptr - pages->uptr) + PAGE_SIZE - 1) / PAGE_SIZE;
  pages->writable = writable;
  pages->account_mode = current.cap_ipc_lock() ? AccountMode::none : AccountMode::user;
  return pages;
}

void IoPagetable::iopt_put_pages(std::shared_ptr<IoptPages>& pages) {
  if (pages.use_count() == 1) {  // iopt_release_pages()
    warn_on(!pages->domain_areas.empty(), "iopt_release_pages: still in a domain");
    warn_on(pages->npinned != 0, "iopt_release_pages: pages still pinned");
  }
  pages.reset();
}

void IoPagetable::remove_domain_area(IoptPages& pages, const IoptArea* area) {
  auto& v = pages.domain_areas;
  v.erase(std::remove(v.begin(), v.end(), area), v.end());
}

std::vector<std::pair<uint64_t, uint64_t>> IoPagetable::unheld_spans(const IoptPages& pages,
                                                                     uint64_t first,
                                                                     uint64_t last) const {
  std::vector<std::pair<uint64_t, uint64_t>> held;
  for (const IoptArea* a : pages.domain_areas)
    if (a->last_index >= first && a->first_index <= last)
      held.emplace_back(std::max(a->first_index, first), std::min(a->last_index, last));
  std::sort(held.begin(), held.end());
  std::vector<std::pair<uint64_t, uint64_t>> holes;
  uint64_t next = first;
  for (const auto& [s, l] : held) {
    if (s > next) holes.emplace_back(next, s - 1);
    if (l >= last) return holes;
    next = std::max(next, l + 1);
  }
  holes.emplace_back(next, last);
  return holes;
}

IoPagetable::PfnBatch IoPagetable::batch_from_domain(const IoptArea& area, DomainHandle domain,
                                                     uint64_t first, uint64_t last) const {
  PfnBatch batch;
  for (uint64_t index = first; index <= last;) {
    phys_addr_t phys = 0;
    const dma_addr_t iova = index_to_iova(area, index) & vfio::PAGE_MASK;
    const uint64_t extent = kernel_.iommu.translated_extent(domain, iova, phys);
    const uint64_t npages = std::max<uint64_t>(1, std::min(extent >> PAGE_SHIFT, last - index + 1));
    if (extent) {
      for (uint64_t i = 0; i < npages; ++i) add_pfn(batch, index + i, (phys >> PAGE_SHIFT) + i);
    }
    index += npages;
  }
  return batch;
}

// pfn_reader: the pages held by an area in a domain come from that domain
// (batch_from_domain), the rest are pinned from the user now
// (pfn_reader_user_pin), a chunk at a time.
int IoPagetable::pfn_reader(IoptPages& pages, uint64_t first, uint64_t last,
                            std::vector<PfnBatch>& batches, std::vector<PfnRun>& pinned_now) {
  PfnBatch batch;
  uint64_t held_from = first;
  auto read_held = [&](uint64_t upto) {
    // [held_from, upto] is held by areas in domains: read it from them.
    std::vector<const IoptArea*> holders(pages.domain_areas.begin(), pages.domain_areas.end());
    std::sort(holders.begin(), holders.end(),
              [](const IoptArea* a, const IoptArea* b) { return a->first_index < b->first_index; });
    for (const IoptArea* a : holders) {
      if (a->last_index < held_from || a->first_index > upto) continue;
      const PfnBatch part = batch_from_domain(*a, *a->storage_domain,
                                              std::max(a->first_index, held_from),
                                              std::min(a->last_index, upto));
      for (const PfnRun& r : part)
        for (uint64_t i = 0; i < r.npfns; ++i) add_pfn(batch, r.index + i, r.pfn + i);
    }
  };
  // The page-pointer array is allocated at the first pin (pfn_reader_user_pin).
  uint64_t chunk = 0;
  for (const auto& [hole_first, hole_last] : unheld_spans(pages, first, last)) {
    if (!chunk) chunk = alloc_fails() ? kPinChunkFallback : kPinChunk;
    if (hole_first > held_from) read_held(hole_first - 1);
    for (uint64_t index = hole_first; index <= hole_last;) {
      const uint64_t n = std::min(chunk, hole_last - index + 1);
      std::vector<uint64_t> pfns;
      long rc = kernel_.faults.fire(vfio::FaultKind::pin);
      if (!rc)
        rc = kernel_.host.pin_user_pages_remote(*pages.source_mm, pages.uptr + index * PAGE_SIZE,
                                                n, pages.writable, pfns);
      if (rc <= 0) {
        if (warn_on(rc == 0, "pfn_reader_user_pin: nothing pinned")) rc = -EFAULT;
        if (!batch.empty()) batches.push_back(std::move(batch));
        return static_cast<int>(rc);
      }
      pages.npinned += static_cast<uint64_t>(rc);
      PfnBatch got;
      for (long i = 0; i < rc; ++i) add_pfn(got, index + static_cast<uint64_t>(i), pfns[static_cast<size_t>(i)]);
      for (const PfnRun& r : got) {
        pinned_now.push_back(r);
        for (uint64_t i = 0; i < r.npfns; ++i) add_pfn(batch, r.index + i, r.pfn + i);
      }
      index += static_cast<uint64_t>(rc);
      batches.push_back(std::move(batch));
      batch.clear();
    }
    held_from = hole_last + 1;
  }
  if (held_from <= last) read_held(last);
  if (!batch.empty()) batches.push_back(std::move(batch));
  size_t runs = 0;
  for (const PfnBatch& b : batches) runs += b.size();
  kernel_.host.cpu().compute(runs * kernel_.config.bookkeeping_picos);
  return 0;
}

int IoPagetable::batch_to_domain(const PfnBatch& batch, DomainHandle domain, const IoptArea& area) {
  if (batch.empty()) return 0;
  const dma_addr_t start_iova = index_to_iova(area, batch.front().index);
  dma_addr_t iova = start_iova;
  int rc = 0;
  for (const PfnRun& run : batch) {
    // The first page of an area may be partial.
    const uint64_t page_offset = run.index == area.first_index ? area.page_offset : 0;
    const dma_addr_t next_iova =
        std::min(area.last + 1, index_to_iova(area, run.index) + run.npfns * PAGE_SIZE - page_offset);
    const phys_addr_t phys = (run.pfn << PAGE_SHIFT) + page_offset;
    if (disable_large_pages_) {
      // batch_iommu_map_small(): a page at a time, so that any page can be cut.
      for (dma_addr_t at = iova; at < next_iova && !rc; at += PAGE_SIZE) {
        rc = calls_.iommu_map(domain, at, phys + (at - iova), PAGE_SIZE, area.iommu_prot);
        if (rc && at != iova) iommu_unmap_nofail(domain, iova, at - iova);
      }
    } else {
      rc = calls_.iommu_map(domain, iova, phys, next_iova - iova, area.iommu_prot);
    }
    if (rc) break;
    iova = next_iova;
  }
  if (rc && start_iova != iova) iommu_unmap_nofail(domain, start_iova, iova - start_iova);
  return rc;
}

void IoPagetable::iopt_area_unmap_domain_range(const IoptArea& area, DomainHandle domain,
                                               uint64_t first, uint64_t last) {
  const dma_addr_t start = index_to_iova(area, first);
  iommu_unmap_nofail(domain, start, index_to_iova_last(area, last) - start + 1);
}

void IoPagetable::iommu_unmap_nofail(DomainHandle domain, dma_addr_t iova, uint64_t size) {
  warn_on(calls_.iommu_unmap(domain, iova, size) != size, "iommu_unmap_nofail: short unmap");
}

void IoPagetable::batch_unpin(const PfnRun& run, IoptPages& pages) {
  // Patch 5/5: lazily, right before pages mapped non-coherently are put.
  if (pages.cache_flush_required)
    calls_.flush_cache(vfio::FlushPoint::unpin, run.pfn << PAGE_SHIFT, run.npfns << PAGE_SHIFT);
  kernel_.host.unpin_user_page_range(run.pfn, run.npfns, pages.writable);
  pages.npinned -= run.npfns;
}

int IoPagetable::do_update_pinned(IoptPages& pages, uint64_t npages, bool inc) {
  host::Process& user = *pages.source_user;
  switch (pages.account_mode) {
    case AccountMode::none: break;
    case AccountMode::user:
      // incr_user_locked_vm()/decr_user_locked_vm(): io_uring's method.
      if (inc) {
        const uint64_t limit = pages.source_task->memlock_limit() >> PAGE_SHIFT;
        if (user.user_locked_vm() + npages > limit) return -ENOMEM;
        user.set_user_locked_vm(user.user_locked_vm() + npages);
      } else if (!warn_on(user.user_locked_vm() < npages, "decr_user_locked_vm: underflow")) {
        user.set_user_locked_vm(user.user_locked_vm() - npages);
      }
      break;
    case AccountMode::mm: {
      // update_mm_locked_vm(): __account_locked_vm() as VFIO does.
      bool warned = false;
      const int rc = kernel_.host.account_locked_vm(*pages.source_mm, npages, inc,
                                                    *pages.source_task, false, &warned);
      warn_on(warned, "__account_locked_vm: uncharging more pages than are locked");
      if (rc) return rc;
      break;
    }
  }
  pages.last_npinned = pages.npinned;
  return 0;
}

int IoPagetable::iopt_pages_update_pinned(IoptPages& pages) {
  if (pages.npinned == pages.last_npinned) return 0;
  if (pages.npinned < pages.last_npinned)
    return do_update_pinned(pages, pages.last_npinned - pages.npinned, false);
  if (alloc_fails()) return -ENOMEM;  // iommufd_should_fail()
  return do_update_pinned(pages, pages.npinned - pages.last_npinned, true);
}

void IoPagetable::update_unpinned(IoptPages& pages) {
  if (warn_on(pages.npinned > pages.last_npinned, "update_unpinned: more pinned than charged"))
    return;
  if (pages.npinned == pages.last_npinned) return;
  do_update_pinned(pages, pages.last_npinned - pages.npinned, false);
}

void IoPagetable::iopt_cache_flush_pfn_batch(vfio::FlushPoint point, const PfnBatch& batch) {
  // A page at a time, as the patch calls the helper.
  for (const PfnRun& run : batch)
    for (uint64_t i = 0; i < run.npfns; ++i)
      calls_.flush_cache(point, (run.pfn + i) << PAGE_SHIFT, PAGE_SIZE);
}

// The pages a fill pinned are let go of after the domains it reached are
// unmapped again: the error unwinds of iopt_area_fill_domain(s).
void IoPagetable::unwind_fill(IoptArea& area, IoptPages& pages,
                              const std::vector<std::pair<DomainHandle, uint64_t>>& mapped,
                              const std::vector<PfnRun>& pinned_now) {
  for (const auto& [domain, end_index] : mapped)
    if (end_index != area.first_index)
      iopt_area_unmap_domain_range(area, domain, area.first_index, end_index - 1);
  for (const PfnRun& run : pinned_now) batch_unpin(run, pages);
  update_unpinned(pages);
}

// A new area into every domain of the table (the map path).
int IoPagetable::iopt_area_fill_domains(IoptArea& area, IoptPages& pages) {
  if (domains_.empty()) return 0;
  const bool cache_flush_required = noncoherent_domain_cnt && !pages.cache_flush_required;
  if (cache_flush_required) pages.cache_flush_required = true;

  std::vector<PfnBatch> batches;
  std::vector<PfnRun> pinned_now;
  int rc = pfn_reader(pages, area.first_index, area.last_index, batches, pinned_now);
  // How far each domain is mapped: the index after its last mapped page.
  std::vector<std::pair<DomainHandle, uint64_t>> mapped;
  for (DomainHandle d : domains_) mapped.emplace_back(d, area.first_index);
  for (size_t b = 0; b < batches.size() && !rc; ++b) {
    const PfnBatch& batch = batches[b];
    if (cache_flush_required) iopt_cache_flush_pfn_batch(vfio::FlushPoint::map, batch);
    const uint64_t end = batch.back().index + batch.back().npfns;
    for (auto& [domain, done] : mapped) {
      rc = batch_to_domain(batch, domain, area);
      if (rc) break;
      done = end;
    }
  }
  if (!rc) rc = iopt_pages_update_pinned(pages);
  if (rc) {
    unwind_fill(area, pages, mapped, pinned_now);
    return rc;
  }
  area.storage_domain = domains_.front();
  pages.domain_areas.push_back(&area);
  return 0;
}

// Every domain of the table no longer maps the area (the unmap path).
void IoPagetable::iopt_area_unfill_domains(IoptArea& area, IoptPages& pages) {
  if (!area.storage_domain) return;
  for (DomainHandle d : domains_)
    if (d != *area.storage_domain)
      iopt_area_unmap_domain_range(area, d, area.first_index, area.last_index);
  remove_domain_area(pages, &area);
  iopt_area_unfill_domain(area, pages, *area.storage_domain);
  area.storage_domain.reset();
}

// An existing area into a new domain (the kernel's replay analogue).
int IoPagetable::iopt_area_fill_domain(IoptArea& area, DomainHandle domain) {
  IoptPages& pages = *area.pages;
  const bool cache_flush_required = noncoherent_domain_cnt && !pages.cache_flush_required;
  if (cache_flush_required) pages.cache_flush_required = true;

  std::vector<PfnBatch> batches;
  std::vector<PfnRun> pinned_now;
  int rc = pfn_reader(pages, area.first_index, area.last_index, batches, pinned_now);
  std::vector<std::pair<DomainHandle, uint64_t>> mapped{{domain, area.first_index}};
  for (size_t b = 0; b < batches.size() && !rc; ++b) {
    if (cache_flush_required) iopt_cache_flush_pfn_batch(vfio::FlushPoint::replay, batches[b]);
    rc = batch_to_domain(batches[b], domain, area);
    if (!rc) mapped[0].second = batches[b].back().index + batches[b].back().npfns;
  }
  if (!rc) rc = iopt_pages_update_pinned(pages);
  if (rc) unwind_fill(area, pages, mapped, pinned_now);
  return rc;
}

// Unmaps the area from `domain` and unpins what no other area holds.
void IoPagetable::iopt_area_unfill_domain(IoptArea& area, IoptPages& pages, DomainHandle domain) {
  const PfnBatch batch = batch_from_domain(area, domain, area.first_index, area.last_index);
  iopt_area_unmap_domain_range(area, domain, area.first_index, area.last_index);
  // Unpin must follow unmap; pages other areas hold stay pinned.
  for (const auto& [first, last] : unheld_spans(pages, area.first_index, area.last_index)) {
    for (const PfnRun& run : batch) {
      const uint64_t s = std::max(run.index, first);
      const uint64_t e = std::min(run.index + run.npfns - 1, last);
      if (s > e) continue;
      batch_unpin({s, run.pfn + (s - run.index), e - s + 1}, pages);
    }
  }
  update_unpinned(pages);
}

}  // namespace iocsim::iommufd
