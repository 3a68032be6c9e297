// SPDX-License-Identifier: GPL-2.0-only
// The rb-tree of vfio_dma (here a map keyed by iova): lookups and linking.
// Range ends are computed without wrapping; see the closing note of the
// foundation issue for how this differs from v6.9 at the top of the space.
#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {
namespace {

using u128 = unsigned __int128;

u128 end_of(dma_addr_t start, uint64_t size) { return static_cast<u128>(start) + size; }

}  // namespace

// Any dma overlapping [start, start + size); with size 0, a dma strictly
// containing `start` past its first byte (as the kernel's comparisons give).
VfioDma* VfioIommu::vfio_find_dma(dma_addr_t start, uint64_t size) {
  auto overlaps = [&](const VfioDma& dma) {
    const bool left = end_of(start, size) <= dma.iova;
    const bool right = start >= end_of(dma.iova, dma.size);
    return !left && !right;
  };
  auto it = dma_list_.upper_bound(start);
  if (it != dma_list_.begin() && overlaps(*std::prev(it)->second))
    return std::prev(it)->second.get();
  if (it != dma_list_.end() && overlaps(*it->second)) return it->second.get();
  return nullptr;
}

// The lowest dma ending after `start`, unless it begins at or beyond
// start + size (size 0 meaning no upper bound).
VfioIommu::DmaIter VfioIommu::vfio_find_dma_first_node(dma_addr_t start, uint64_t size) {
  auto it = dma_list_.upper_bound(start);
  if (it != dma_list_.begin()) {
    auto prev = std::prev(it);
    if (start < end_of(prev->second->iova, prev->second->size)) it = prev;
  }
  if (it != dma_list_.end() && size && it->second->iova >= end_of(start, size))
    return dma_list_.end();
  return it;
}

VfioDma* VfioIommu::vfio_link_dma(std::unique_ptr<VfioDma> dma) {
  VfioDma* raw = dma.get();
  dma_list_.emplace(raw->iova, std::move(dma));
  dma_digest_.linked(raw);
  return raw;
}

void VfioIommu::vfio_unlink_dma(VfioDma* dma) {
  dma_digest_.unlinking(dma);
  dma_list_.erase(dma->iova);
}

VfioPfn* VfioIommu::vfio_find_vpfn(VfioDma* dma, dma_addr_t iova) {
  auto it = dma->pfn_list.lower_bound(iova);
  if (it == dma->pfn_list.end() || it->second.iova >= iova + PAGE_SIZE) return nullptr;
  return &it->second;
}

}  // namespace iocsim::vfio
