// SPDX-License-Identifier: GPL-2.0-only
// drivers/iommu/iommufd/io_pagetable.c: areas and their IOVA, reserved
// ranges, the domains the table is filled into, and cutting areas for the
// VFIO compatibility layer's type1 unmap.
#include <algorithm>
#include <cerrno>

#include "iommufd/io_pagetable.h"

namespace iocsim::iommufd {
namespace {

bool add_overflows(uint64_t a, uint64_t b, uint64_t* sum) { return __builtin_add_overflow(a, b, sum); }

}  // namespace

IoptArea* IoPagetable::iopt_area_iter_first(dma_addr_t start, dma_addr_t last) const {
  // Areas never overlap: the one holding `start`, or the first after it.
  auto it = area_itree_.upper_bound(start);
  if (it != area_itree_.begin()) {
    auto prev = std::prev(it);
    if (prev->second->last >= start) return prev->second.get();
  }
  if (it != area_itree_.end() && it->first <= last) return it->second.get();
  return nullptr;
}

bool IoPagetable::iopt_reserved_iter_first(dma_addr_t start, dma_addr_t last) const {
  return std::any_of(reserved_itree_.begin(), reserved_itree_.end(),
                     [&](const IoptReserved& r) { return r.start <= last && start <= r.last; });
}

int IoPagetable::iopt_check_iova(dma_addr_t iova, uint64_t length) const {
  if (iova & (iova_alignment_ - 1)) return -EINVAL;
  uint64_t last = 0;
  if (add_overflows(iova, length - 1, &last)) return -EOVERFLOW;
  // No reserved IOVA intersects the range, and nothing is mapped there.
  if (iopt_reserved_iter_first(iova, last)) return -EINVAL;
  if (iopt_area_iter_first(iova, last)) return -EEXIST;
  return 0;
}

int IoPagetable::iopt_insert_area(std::unique_ptr<IoptArea> area, const IoptPages& pages,
                                  dma_addr_t iova, uint64_t start_byte, uint64_t length,
                                  int iommu_prot) {
  if ((iommu_prot & vfio::IOMMU_WRITE) && !pages.writable) return -EPERM;
  area->iommu_prot = iommu_prot;
  area->page_offset = start_byte % vfio::PAGE_SIZE;
  if (area->page_offset & (iova_alignment_ - 1)) return -EINVAL;
  area->iova = iova;
  if (add_overflows(iova, length - 1, &area->last)) return -EOVERFLOW;
  area->first_index = start_byte / vfio::PAGE_SIZE;
  uint64_t last_byte = 0;
  if (add_overflows(start_byte, length - 1, &last_byte)) return -EOVERFLOW;
  area->last_index = last_byte / vfio::PAGE_SIZE;
  if (warn_on(area->last_index >= pages.npages, "iopt_insert_area: area beyond its pages"))
    return -EOVERFLOW;
  // Inserted with no pages: the IOVA is taken, the area not yet usable.
  area_itree_[iova] = std::move(area);
  return 0;
}

std::unique_ptr<IoptArea> IoPagetable::take_area(dma_addr_t iova) {
  auto it = area_itree_.find(iova);
  std::unique_ptr<IoptArea> area = std::move(it->second);
  area_itree_.erase(it);
  return area;
}

// iopt_map_user_pages() with iopt_alloc_area_pages() and iopt_map_pages()
// for its single pages list element.
int IoPagetable::iopt_map_user_pages(AccountMode ctx_mode, dma_addr_t* iova, uint64_t uptr,
                                     uint64_t length, int iommu_prot) {
  int rc = 0;
  std::shared_ptr<IoptPages> pages =
      iopt_alloc_pages(uptr, length, iommu_prot & vfio::IOMMU_WRITE, &rc);
  if (!pages) return rc;
  if (ctx_mode == AccountMode::mm && pages->account_mode == AccountMode::user)
    pages->account_mode = AccountMode::mm;
  const uint64_t start_byte = uptr - pages->uptr;

  // iopt_alloc_area_pages()
  if (alloc_fails()) {
    iopt_put_pages(pages);
    return -ENOMEM;
  }
  if ((length & (iova_alignment_ - 1)) || !length) rc = -EINVAL;
  if (!rc) rc = iopt_check_iova(*iova, length);
  if (!rc)
    rc = iopt_insert_area(std::make_unique<IoptArea>(), *pages, *iova, start_byte, length,
                          iommu_prot);
  if (rc) {
    iopt_put_pages(pages);
    return rc;
  }

  // iopt_map_pages(): fill every domain, then hand the area its pages.
  IoptArea& area = *area_itree_.at(*iova);
  rc = iopt_area_fill_domains(area, *pages);
  if (rc) {
    take_area(*iova);  // iopt_abort_area()
    iopt_put_pages(pages);
    return rc;
  }
  area.pages = std::move(pages);
  return 0;
}

int IoPagetable::iopt_unmap_iova_range(dma_addr_t start, dma_addr_t last, uint64_t* unmapped) {
  uint64_t unmapped_bytes = 0;
  // An empty range: -ENOENT, until Jason Gunthorpe's fix for the VFIO
  // compatibility layer (docs/kernel-behaviour.md 14, [I2]) made it succeed
  // as type1 does; the native unmap keeps -ENOENT on its own.
  int rc = kernel_.config.base == vfio::KernelBase::v6_18 ? 0 : -ENOENT;
  while (IoptArea* area = iopt_area_iter_first(start, last)) {
    const dma_addr_t area_first = area->iova;
    const dma_addr_t area_last = area->last;
    // Userspace should not race map/unmap's of the same area.
    if (!area->pages) {
      rc = -EBUSY;
      break;
    }
    // The range must cover whole areas: no splitting here.
    if (area_first < start || area_last > last) {
      rc = -ENOENT;
      break;
    }
    std::shared_ptr<IoptPages> pages = std::move(area->pages);
    iopt_area_unfill_domains(*area, *pages);
    take_area(area_first);  // iopt_abort_area()
    iopt_put_pages(pages);
    unmapped_bytes += area_last - area_first + 1;
  }
  if (unmapped_bytes) rc = 0;
  if (unmapped) *unmapped = unmapped_bytes;
  return rc;
}

int IoPagetable::iopt_unmap_iova(dma_addr_t iova, uint64_t length, uint64_t* unmapped) {
  if (!length) return -EINVAL;
  uint64_t last = 0;
  if (add_overflows(iova, length - 1, &last)) return -EOVERFLOW;
  return iopt_unmap_iova_range(iova, last, unmapped);
}

int IoPagetable::iopt_unmap_all(uint64_t* unmapped) {
  const int rc = iopt_unmap_iova_range(0, UINT64_MAX, unmapped);
  // If the IOVAs are empty then unmap all succeeds.
  return rc == -ENOENT ? 0 : rc;
}

int IoPagetable::iopt_reserve_iova(dma_addr_t start, dma_addr_t last, ResvOwner owner) {
  if (iopt_area_iter_first(start, last)) return -EADDRINUSE;
  if (alloc_fails()) return -ENOMEM;
  reserved_itree_.push_back({start, last, owner});
  return 0;
}

void IoPagetable::iopt_remove_reserved_iova(ResvOwner owner) {
  reserved_itree_.erase(std::remove_if(reserved_itree_.begin(), reserved_itree_.end(),
                                       [&](const IoptReserved& r) { return r.owner == owner; }),
                        reserved_itree_.end());
}

std::vector<std::pair<dma_addr_t, dma_addr_t>> IoPagetable::iova_holes() const {
  std::vector<IoptReserved> sorted = reserved_itree_;
  std::sort(sorted.begin(), sorted.end(),
            [](const IoptReserved& a, const IoptReserved& b) { return a.start < b.start; });
  std::vector<std::pair<dma_addr_t, dma_addr_t>> holes;
  dma_addr_t next = 0;
  bool done = false;
  for (const IoptReserved& r : sorted) {
    if (r.start > next) holes.emplace_back(next, r.start - 1);
    if (r.last == UINT64_MAX) {
      done = true;
      break;
    }
    next = std::max(next, r.last + 1);
  }
  if (!done) holes.emplace_back(next, UINT64_MAX);
  return holes;
}

int IoPagetable::iopt_fill_domain(DomainHandle domain) {
  for (auto it = area_itree_.begin(); it != area_itree_.end(); ++it) {
    IoptArea& area = *it->second;
    if (!area.pages) continue;
    const int rc = iopt_area_fill_domain(area, domain);
    if (rc) {
      // Unfill the areas before this one; the domain is left as it was.
      for (auto undo = area_itree_.begin(); undo != it; ++undo) {
        IoptArea& done = *undo->second;
        if (!done.pages) continue;
        if (domains_.empty()) {
          remove_domain_area(*done.pages, &done);
          done.storage_domain.reset();
        }
        iopt_area_unfill_domain(done, *done.pages, domain);
      }
      return rc;
    }
    if (!area.storage_domain) {
      warn_on(!domains_.empty(), "iopt_fill_domain: an area without storage beside domains");
      area.storage_domain = domain;
      area.pages->domain_areas.push_back(&area);
    }
  }
  return 0;
}

void IoPagetable::iopt_unfill_domain(DomainHandle domain) {
  if (!domains_.empty()) {
    // Another domain still holds every pfn: only unmap this one.
    const DomainHandle storage = domains_.front();
    for (auto& [iova, area] : area_itree_) {
      if (!area->pages) continue;
      if (area->storage_domain == domain) area->storage_domain = storage;
      iopt_area_unmap_domain_range(*area, domain, area->first_index, area->last_index);
    }
    return;
  }
  for (auto& [iova, area] : area_itree_) {
    if (!area->pages) continue;
    remove_domain_area(*area->pages, area.get());
    warn_on(area->storage_domain != domain, "iopt_unfill_domain: not the storage domain");
    area->storage_domain.reset();
    iopt_area_unfill_domain(*area, *area->pages, domain);
  }
}

int IoPagetable::iopt_check_iova_alignment(uint64_t new_iova_alignment) const {
  const uint64_t mask = new_iova_alignment - 1;
  for (const auto& [iova, area] : area_itree_)
    if ((area->iova & mask) || (area->length() & mask) || (area->page_offset & mask))
      return -EADDRINUSE;
  return 0;
}

int IoPagetable::iopt_table_add_domain(DomainHandle domain) {
  for (DomainHandle d : domains_)
    if (warn_on(d == domain, "iopt_table_add_domain: domain added twice")) return -EEXIST;

  // A domain must accept PAGE_SIZE: iopt_pages works in whole pages.
  const uint64_t pgsizes = kernel_.iommu.pgsize_bitmap(domain);
  const uint64_t new_iova_alignment =
      std::max<uint64_t>(uint64_t{1} << __builtin_ctzll(pgsizes), iova_alignment_);
  if (new_iova_alignment > vfio::PAGE_SIZE) return -EINVAL;
  if (new_iova_alignment != iova_alignment_) {
    if (int rc = iopt_check_iova_alignment(new_iova_alignment)) return rc;
  }

  // No area may lie outside the domain's aperture.
  const vfio::DomainGeometry geometry = kernel_.iommu.geometry(domain);
  int rc = 0;
  if (geometry.aperture_start != 0)
    rc = iopt_reserve_iova(0, geometry.aperture_start - 1, domain_owner(domain));
  if (!rc && geometry.aperture_end != UINT64_MAX)
    rc = iopt_reserve_iova(geometry.aperture_end + 1, UINT64_MAX, domain_owner(domain));
  if (!rc && alloc_fails()) rc = -ENOMEM;  // xa_reserve()
  if (!rc) rc = iopt_fill_domain(domain);
  if (rc) {
    iopt_remove_reserved_iova(domain_owner(domain));
    return rc;
  }
  iova_alignment_ = new_iova_alignment;
  domains_.push_back(domain);
  return 0;
}

int IoPagetable::iopt_calculate_iova_alignment() {
  // See batch_iommu_map_small(): without large pages, whole pages only.
  uint64_t new_iova_alignment = disable_large_pages_ ? vfio::PAGE_SIZE : 1;
  for (DomainHandle d : domains_)
    new_iova_alignment = std::max<uint64_t>(
        uint64_t{1} << __builtin_ctzll(kernel_.iommu.pgsize_bitmap(d)), new_iova_alignment);
  if (new_iova_alignment > iova_alignment_) {
    if (int rc = iopt_check_iova_alignment(new_iova_alignment)) return rc;
  }
  iova_alignment_ = new_iova_alignment;
  return 0;
}

void IoPagetable::iopt_table_remove_domain(DomainHandle domain) {
  auto it = std::find(domains_.begin(), domains_.end(), domain);
  if (warn_on(it == domains_.end(), "iopt_table_remove_domain: unknown domain")) return;
  // The xarray stays dense: the tail entry takes the erased one's index.
  *it = domains_.back();
  domains_.pop_back();
  iopt_unfill_domain(domain);
  iopt_remove_reserved_iova(domain_owner(domain));
  warn_on(iopt_calculate_iova_alignment() != 0, "iopt_table_remove_domain: alignment");
}

int IoPagetable::iopt_area_split(IoptArea* area, dma_addr_t iova) {
  const dma_addr_t start_iova = area->iova;
  const dma_addr_t last_iova = area->last;
  const dma_addr_t new_start = iova + 1;
  if (iova == start_iova || iova == last_iova) return 0;
  if (!area->pages) return -EBUSY;
  if ((new_start & (iova_alignment_ - 1)) ||
      (area->start_byte(new_start) & (iova_alignment_ - 1)))
    return -EINVAL;
  if (alloc_fails() || alloc_fails()) return -ENOMEM;  // lhs, rhs
  // Not if a domain could have been mapped with huge pages.
  if (area->storage_domain && !disable_large_pages_) return -EINVAL;

  std::unique_ptr<IoptArea> old = take_area(start_iova);
  std::shared_ptr<IoptPages> pages = old->pages;
  auto lhs = std::make_unique<IoptArea>();
  auto rhs = std::make_unique<IoptArea>();
  IoptArea* l = lhs.get();
  IoptArea* r = rhs.get();
  int rc = iopt_insert_area(std::move(lhs), *pages, start_iova, old->start_byte(start_iova),
                            new_start - start_iova, old->iommu_prot);
  if (!warn_on(rc != 0, "iopt_area_split: lhs"))
    rc = iopt_insert_area(std::move(rhs), *pages, new_start, old->start_byte(new_start),
                          last_iova - new_start + 1, old->iommu_prot);
  if (warn_on(rc != 0, "iopt_area_split: rhs")) {
    area_itree_.erase(start_iova);
    area_itree_[start_iova] = std::move(old);
    return rc;
  }
  for (IoptArea* half : {l, r}) {
    half->storage_domain = old->storage_domain;
    half->pages = pages;
  }
  // A filled area's pages are held through both halves now.
  if (old->storage_domain) {
    remove_domain_area(*pages, old.get());
    pages->domain_areas.push_back(l);
    pages->domain_areas.push_back(r);
  }
  return 0;
}

int IoPagetable::iopt_cut_iova(const std::vector<dma_addr_t>& iovas) {
  for (dma_addr_t iova : iovas) {
    IoptArea* area = iopt_area_iter_first(iova, iova);
    if (!area) continue;
    if (int rc = iopt_area_split(area, iova)) return rc;
  }
  return 0;
}

int IoPagetable::iopt_disable_large_pages() {
  if (disable_large_pages_) return 0;
  // Not once domains have pages mapped in them.
  if (!domains_.empty() && !area_itree_.empty()) return -EINVAL;
  disable_large_pages_ = true;
  const int rc = iopt_calculate_iova_alignment();
  if (rc) disable_large_pages_ = false;
  return rc;
}

int IoPagetable::iopt_table_enforce_group_resv_regions(vfio::GroupId group, ResvOwner owner) {
  std::vector<vfio::ResvRegion> regions;
  int rc = kernel_.iommu.get_group_resv_regions(group, regions);
  unsigned num_hw_msi = 0, num_sw_msi = 0;
  for (const vfio::ResvRegion& resv : regions) {
    if (rc) break;
    if (resv.type == vfio::ResvType::direct_relaxable) continue;
    num_hw_msi += resv.type == vfio::ResvType::msi;
    num_sw_msi += resv.type == vfio::ResvType::sw_msi;
    rc = iopt_reserve_iova(resv.start, resv.start + (resv.length - 1), owner);
  }
  // Drivers must offer sane combinations of regions.
  if (!rc && (warn_on(num_sw_msi && num_hw_msi, "resv regions: sw and hw MSI") ||
              warn_on(num_sw_msi > 1, "resv regions: two sw MSI")))
    rc = -EINVAL;
  if (rc) iopt_remove_reserved_iova(owner);
  return rc;
}

}  // namespace iocsim::iommufd
