// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/mdev_driver.h"

#include "vfio/iommu_driver.h"

namespace iocsim::vfio {

void MdevDriver::pinned(dma_addr_t iova, uint64_t pages) {
  for (uint64_t i = 0; i < pages; ++i) ++pins_[iova + i * PAGE_SIZE];
}

void MdevDriver::unpinned(dma_addr_t iova, uint64_t pages) {
  for (uint64_t i = 0; i < pages; ++i) {
    auto it = pins_.find(iova + i * PAGE_SIZE);
    if (it != pins_.end() && --it->second == 0) pins_.erase(it);
  }
}

void MdevDriver::dma_unmap(dma_addr_t iova, uint64_t size) {
  for (auto it = pins_.lower_bound(iova); it != pins_.end() && it->first - iova < size;) {
    for (unsigned n = 0; n < it->second; ++n) container_->unpin_pages(it->first, 1);
    it = pins_.erase(it);
  }
}

}  // namespace iocsim::vfio
