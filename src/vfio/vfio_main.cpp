// SPDX-License-Identifier: GPL-2.0-only
// drivers/vfio/vfio_main.c's external interface for emulated devices'
// drivers: vfio_pin_pages() and vfio_unpin_pages(), called by the vendor
// driver of an open device, which remembers what it pinned.
#include <cerrno>

#include "vfio/vfio_core.h"

namespace iocsim::vfio {

int VfioCore::pin_pages(const std::string& device, dma_addr_t iova, uint64_t npage, int prot) {
  // The device is open (its group in a container), and 1 to
  // VFIO_PIN_PAGES_MAX_ENTRIES pages at a time.
  auto mdev = mdevs_.find(device_index(device));
  if (mdev == mdevs_.end() || npage == 0) return -EINVAL;
  if (npage > VFIO_PIN_PAGES_MAX_ENTRIES) return -E2BIG;
  MdevDriver& driver = *mdev->second;
  std::vector<unsigned long> pages;
  const int ret =
      driver.container().pin_pages(driver.group(), iova, static_cast<int>(npage), prot, pages);
  if (ret > 0) driver.pinned(iova, static_cast<uint64_t>(ret));
  return ret;
}

void VfioCore::unpin_pages(const std::string& device, dma_addr_t iova, uint64_t npage) {
  auto mdev = mdevs_.find(device_index(device));
  if (kernel_.log.warn_on(mdev == mdevs_.end() || npage == 0 || npage > VFIO_PIN_PAGES_MAX_ENTRIES,
                          "vfio_unpin_pages: device not open or bad page count"))
    return;
  MdevDriver& driver = *mdev->second;
  driver.container().unpin_pages(iova, static_cast<int>(npage));
  driver.unpinned(iova, npage);
}

}  // namespace iocsim::vfio
