// SPDX-License-Identifier: GPL-2.0-only
// iommufd's I/O page table (drivers/iommu/iommufd/io_pagetable.c and
// pages.c): IOVA areas, each a slice of an iopt_pages (a range of user
// memory, pinned once however many domains map it), reserved and allowed
// IOVA ranges, and the IOMMU domains the table is filled into.
//
// Kernel names are kept: iopt_map_user_pages, iopt_unmap_iova,
// iopt_table_add_domain, iopt_area_fill_domains, batch_unpin... The pfns of
// pinned pages live where the kernel keeps them, in the area's storage
// domain, and are read back with the IOMMU core's walk.
//
// Returns follow the kernel: 0 or -errno. Patch 5/5 of the 2024 series
// (docs/kernel-behaviour.md 11.5) adds noncoherent_domain_cnt here, the
// per-pages cache_flush_required bit, and the flushes at the fill and unpin
// points; the policy decides at each (vfio/flush_policy.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "vfio/backend_calls.h"
#include "vfio/kernel.h"

namespace iocsim::iommufd {

using vfio::dma_addr_t;
using vfio::DomainHandle;
using vfio::phys_addr_t;

// How an iopt_pages charges the memory it pins (IOPT_PAGES_ACCOUNT_*).
enum class AccountMode : uint8_t {
  none,  // CAP_IPC_LOCK: nothing charged
  user,  // the user's locked_vm (iommufd's default)
  mm,    // the mm's locked_vm (VFIO compatible; /dev/vfio/vfio)
};

struct IoptArea;

// struct iopt_pages: user memory some areas map, pinned at most once per page.
struct IoptPages {
  host::Process* source_mm = nullptr;
  host::Process* source_task = nullptr;  // whose RLIMIT_MEMLOCK applies
  host::Process* source_user = nullptr;  // each principal is its own user
  uint64_t uptr = 0;                     // page aligned
  uint64_t npages = 0;
  bool writable = false;
  AccountMode account_mode = AccountMode::user;
  // Patch 5/5: the pages were, or may be, mapped into a non-coherent domain;
  // set before the first such fill, never cleared.
  bool cache_flush_required = false;
  uint64_t npinned = 0;       // pages pinned now
  uint64_t last_npinned = 0;  // pages charged to the account
  // domains_itree: the areas whose pages are held by their storage domain.
  std::vector<IoptArea*> domain_areas;
};

// struct iopt_area: the IOVA range [iova, last] mapping pages
// [first_index, last_index] of `pages` from byte `page_offset` of the first.
struct IoptArea {
  dma_addr_t iova = 0;
  dma_addr_t last = 0;
  uint64_t first_index = 0;
  uint64_t last_index = 0;
  uint64_t page_offset = 0;
  int iommu_prot = 0;
  // Null while the area is being created or torn down.
  std::shared_ptr<IoptPages> pages;
  // The domain holding the area's pfns while any domain maps it.
  std::optional<DomainHandle> storage_domain;

  uint64_t length() const { return last - iova + 1; }
  // The byte of `pages` that `at` (an IOVA in the area) maps.
  uint64_t start_byte(dma_addr_t at) const {
    return at - iova + first_index * vfio::PAGE_SIZE + page_offset;
  }
};

// Who reserved an IOVA range: a domain (its aperture) or a device (its
// group's reserved regions); the kernel keys them by pointer.
using ResvOwner = uint64_t;
inline ResvOwner domain_owner(DomainHandle domain) { return (uint64_t{1} << 32) | domain; }
inline ResvOwner device_owner(vfio::GroupId group) {
  return (uint64_t{2} << 32) | static_cast<uint32_t>(group);
}

struct IoptReserved {
  dma_addr_t start = 0, last = 0;
  ResvOwner owner = 0;
};

class IoPagetable {
 public:
  // A run of pfns of an area: pages [index, index + npfns) are frames
  // [pfn, pfn + npfns). A batch (struct pfn_batch) is a list of them.
  struct PfnRun {
    uint64_t index = 0;
    uint64_t pfn = 0;
    uint64_t npfns = 0;
  };
  using PfnBatch = std::vector<PfnRun>;

  IoPagetable(vfio::Kernel& kernel, vfio::BackendCalls& calls) : kernel_(kernel), calls_(calls) {}

  // --- io_pagetable.c ---
  // Maps `length` bytes of the current task's memory at `uptr` to *iova
  // (fixed; iocsim has no IOPT_ALLOC_IOVA callers yet).
  int iopt_map_user_pages(AccountMode ctx_mode, dma_addr_t* iova, uint64_t uptr, uint64_t length,
                          int iommu_prot);
  int iopt_unmap_iova(dma_addr_t iova, uint64_t length, uint64_t* unmapped);
  int iopt_unmap_all(uint64_t* unmapped);
  // Splits the areas holding each IOVA so that it becomes an area's last.
  int iopt_cut_iova(const std::vector<dma_addr_t>& iovas);
  int iopt_table_add_domain(DomainHandle domain);
  void iopt_table_remove_domain(DomainHandle domain);
  // The reserved regions of a device's group, owned by `owner`.
  int iopt_table_enforce_group_resv_regions(vfio::GroupId group, ResvOwner owner);
  void iopt_remove_reserved_iova(ResvOwner owner);
  int iopt_disable_large_pages();

  // --- what the compat layer and iocsim read ---
  const std::map<dma_addr_t, std::unique_ptr<IoptArea>>& areas() const { return area_itree_; }
  const std::vector<DomainHandle>& domains() const { return domains_; }
  // The holes of the reserved ranges: the usable IOVA, inclusive.
  std::vector<std::pair<dma_addr_t, dma_addr_t>> iova_holes() const;
  uint64_t iova_alignment() const { return iova_alignment_; }
  bool disable_large_pages() const { return disable_large_pages_; }
  // Patch 5/5's count of non-coherent domains (hw_pagetable.c keeps it).
  unsigned noncoherent_domain_cnt = 0;

 private:
  using AreaMap = std::map<dma_addr_t, std::unique_ptr<IoptArea>>;

  // io_pagetable.c
  IoptArea* iopt_area_iter_first(dma_addr_t start, dma_addr_t last) const;
  bool iopt_reserved_iter_first(dma_addr_t start, dma_addr_t last) const;
  int iopt_check_iova(dma_addr_t iova, uint64_t length) const;
  int iopt_insert_area(std::unique_ptr<IoptArea> area, const IoptPages& pages, dma_addr_t iova,
                       uint64_t start_byte, uint64_t length, int iommu_prot);
  int iopt_unmap_iova_range(dma_addr_t start, dma_addr_t last, uint64_t* unmapped);
  int iopt_reserve_iova(dma_addr_t start, dma_addr_t last, ResvOwner owner);
  int iopt_fill_domain(DomainHandle domain);
  void iopt_unfill_domain(DomainHandle domain);
  int iopt_check_iova_alignment(uint64_t new_iova_alignment) const;
  int iopt_calculate_iova_alignment();
  int iopt_area_split(IoptArea* area, dma_addr_t iova);
  std::unique_ptr<IoptArea> take_area(dma_addr_t iova);

  // pages.c
  std::shared_ptr<IoptPages> iopt_alloc_pages(uint64_t uptr, uint64_t length, bool writable,
                                              int* err);
  void iopt_put_pages(std::shared_ptr<IoptPages>& pages);
  // pfn_reader: the pfns of pages [first, last] of `area`, from the domains
  // of other areas holding them or pinned from the user now, a batch at a
  // time; `pinned_now` says which runs came from the user.
  int pfn_reader(IoptPages& pages, uint64_t first, uint64_t last, std::vector<PfnBatch>& batches,
                 std::vector<PfnRun>& pinned_now);
  // The spans of pages [first, last] that no area in a domain holds.
  std::vector<std::pair<uint64_t, uint64_t>> unheld_spans(const IoptPages& pages, uint64_t first,
                                                          uint64_t last) const;
  // The pfns `area` maps in `domain` for pages [first, last].
  PfnBatch batch_from_domain(const IoptArea& area, DomainHandle domain, uint64_t first,
                             uint64_t last) const;
  int batch_to_domain(const PfnBatch& batch, DomainHandle domain, const IoptArea& area);
  void iopt_area_unmap_domain_range(const IoptArea& area, DomainHandle domain, uint64_t first,
                                    uint64_t last);
  // iommu_unmap() that WARNs when it unmaps less than asked.
  void iommu_unmap_nofail(DomainHandle domain, dma_addr_t iova, uint64_t size);
  void batch_unpin(const PfnRun& run, IoptPages& pages);
  int iopt_pages_update_pinned(IoptPages& pages);
  void update_unpinned(IoptPages& pages);
  int do_update_pinned(IoptPages& pages, uint64_t npages, bool inc);
  // Patch 5/5: each page of the batch through the flush helper, at `point`.
  void iopt_cache_flush_pfn_batch(vfio::FlushPoint point, const PfnBatch& batch);
  // A failed fill: unmap each domain up to the index it reached, unpin what
  // the fill pinned, and uncharge it.
  void unwind_fill(IoptArea& area, IoptPages& pages,
                   const std::vector<std::pair<DomainHandle, uint64_t>>& mapped,
                   const std::vector<PfnRun>& pinned_now);
  // A new area into every domain (map), and out of every one (unmap).
  int iopt_area_fill_domains(IoptArea& area, IoptPages& pages);
  void iopt_area_unfill_domains(IoptArea& area, IoptPages& pages);
  // An area into a new domain, and out of one: unmaps it there and unpins
  // the pages no area in a domain holds (the caller has taken `area` out of
  // its pages' domain_areas when `domain` was the last to hold them).
  int iopt_area_fill_domain(IoptArea& area, DomainHandle domain);
  void iopt_area_unfill_domain(IoptArea& area, IoptPages& pages, DomainHandle domain);
  void remove_domain_area(IoptPages& pages, const IoptArea* area);

  bool alloc_fails() { return kernel_.faults.fire(vfio::FaultKind::alloc) != 0; }
  bool warn_on(bool condition, const char* what) { return kernel_.log.warn_on(condition, what); }

  vfio::Kernel& kernel_;
  vfio::BackendCalls& calls_;
  AreaMap area_itree_;
  std::vector<IoptReserved> reserved_itree_;
  std::vector<DomainHandle> domains_;  // the xarray, index 0 first
  uint64_t iova_alignment_ = 1;
  bool disable_large_pages_ = false;
};

}  // namespace iocsim::iommufd
