// SPDX-License-Identifier: GPL-2.0-only
// The usable IOVA windows: the intersection of the domains' apertures minus
// the attached groups' non-relaxable reserved regions.
#include <cerrno>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {

int VfioIommu::vfio_iommu_iova_insert(std::list<VfioIova>& list,
                                      std::list<VfioIova>::iterator before, dma_addr_t start,
                                      dma_addr_t end) {
  if (alloc_fails()) return -ENOMEM;
  list.insert(before, {start, end});
  return 0;
}

int VfioIommu::vfio_iommu_iova_get_copy(std::list<VfioIova>& iova_copy) {
  for (const VfioIova& n : iova_list_) {
    if (int ret = vfio_iommu_iova_insert(iova_copy, iova_copy.end(), n.start, n.end)) {
      iova_copy.clear();
      return ret;
    }
  }
  return 0;
}

// A new aperture conflicts if it is disjoint from the current windows, or if
// an existing dma lies outside it.
bool VfioIommu::vfio_iommu_aper_conflict(dma_addr_t start, dma_addr_t end) {
  if (iova_list_.empty()) return false;

  const VfioIova& first = iova_list_.front();
  const VfioIova& last = iova_list_.back();
  if (start > last.end || end < first.start) return true;

  // Any existing dma mappings below the new start?
  if (start > first.start && vfio_find_dma(first.start, start - first.start)) return true;

  // Any existing dma mappings beyond the new end?
  if (end < last.end && vfio_find_dma(end + 1, last.end - end)) return true;

  return false;
}

// Only called when the new aperture conflicts with nothing.
int VfioIommu::vfio_iommu_aper_resize(std::list<VfioIova>& iova, dma_addr_t start,
                                      dma_addr_t end) {
  if (iova.empty()) return vfio_iommu_iova_insert(iova, iova.end(), start, end);

  // Adjust the list start.
  for (auto node = iova.begin(); node != iova.end();) {
    if (start < node->start) break;
    if (start >= node->start && start < node->end) {
      node->start = start;
      break;
    }
    node = iova.erase(node);  // nodes before the new start
  }

  // Adjust the list end.
  for (auto node = iova.begin(); node != iova.end();) {
    if (end > node->end) {
      ++node;
      continue;
    }
    if (end > node->start && end <= node->end) {
      node->end = end;
      ++node;
      continue;
    }
    node = iova.erase(node);  // nodes after the new end
  }
  return 0;
}

bool VfioIommu::vfio_iommu_resv_conflict(const std::vector<ResvRegion>& resv_regions) {
  for (const ResvRegion& region : resv_regions) {
    if (region.type == ResvType::direct_relaxable) continue;
    if (vfio_find_dma(region.start, region.length)) return true;
  }
  return false;
}

// Carves the reserved regions out of the windows; -EINVAL if nothing is left.
int VfioIommu::vfio_iommu_resv_exclude(std::list<VfioIova>& iova,
                                       const std::vector<ResvRegion>& resv_regions) {
  for (const ResvRegion& resv : resv_regions) {
    if (resv.type == ResvType::direct_relaxable) continue;

    const phys_addr_t start = resv.start;
    const phys_addr_t end = resv.start + resv.length - 1;

    for (auto n = iova.begin(); n != iova.end();) {
      // No overlap.
      if (start > n->end || end < n->start) {
        ++n;
        continue;
      }
      // Replace the node by the parts of it outside the region, in order.
      int ret = 0;
      if (start > n->start) ret = vfio_iommu_iova_insert(iova, n, n->start, start - 1);
      if (!ret && end < n->end) ret = vfio_iommu_iova_insert(iova, n, end + 1, n->end);
      if (ret) return ret;
      n = iova.erase(n);
    }
  }

  if (iova.empty()) return -EINVAL;
  return 0;
}

// A software-managed MSI region, unless the driver also reports a real one.
bool VfioIommu::vfio_iommu_has_sw_msi(const std::vector<ResvRegion>& regions,
                                      phys_addr_t* base) {
  bool ret = false;
  for (const ResvRegion& region : regions) {
    if (region.type == ResvType::msi) {
      ret = false;
      break;
    }
    if (region.type == ResvType::sw_msi) {
      *base = region.start;
      ret = true;
    }
  }
  return ret;
}

// After a domain is removed, widen the outer bounds to the intersection of
// the remaining apertures.
void VfioIommu::vfio_iommu_aper_expand(std::list<VfioIova>& iova_copy) {
  dma_addr_t start = 0;
  dma_addr_t end = ~dma_addr_t{0};

  if (iova_copy.empty()) return;

  for (const VfioDomain& domain : domain_list_) {
    const DomainGeometry geo = kernel_.iommu.geometry(domain.domain);
    if (geo.aperture_start > start) start = geo.aperture_start;
    if (geo.aperture_end < end) end = geo.aperture_end;
  }

  // The new aperture is either the same or bigger.
  iova_copy.front().start = start;
  iova_copy.back().end = end;
}

// After a group is detached its reserved regions may be usable again; rebuild
// the windows from the outer bounds minus every remaining group's regions.
int VfioIommu::vfio_iommu_resv_refresh(std::list<VfioIova>& iova_copy) {
  std::vector<ResvRegion> resv_regions;

  if (iova_copy.empty()) return -EINVAL;

  for (const VfioDomain& d : domain_list_) {
    for (const VfioIommuGroup& g : d.group_list) {
      int ret = kernel_.iommu.get_group_resv_regions(g.iommu_group, resv_regions);
      if (ret) return ret;
    }
  }

  const dma_addr_t start = iova_copy.front().start;
  const dma_addr_t end = iova_copy.back().end;

  // Purge the list and create a new one.
  iova_copy.clear();
  if (int ret = vfio_iommu_aper_resize(iova_copy, start, end)) return ret;

  // Exclude the current reserved regions.
  return vfio_iommu_resv_exclude(iova_copy, resv_regions);
}

}  // namespace iocsim::vfio
