// SPDX-License-Identifier: GPL-2.0-only
// drivers/vfio/vfio_main.c's external interface for emulated devices'
// drivers: vfio_pin_pages() and vfio_unpin_pages(), called by the vendor
// driver of an open device, which remembers what it pinned.
#include <cerrno>

#include "vfio/vfio_core.h"

namespace iocsim::vfio {

// vfio_assert_device_open() failing inside a WARN_ON: its own WARN_ON_ONCE
// the first time, the caller's every time.
bool VfioCore::warn_not_open(bool closed) {
  kernel_.log.warn_on_once(closed, "vfio_assert_device_open: the device is not open");
  return kernel_.log.warn_on(closed, "vfio_pin_pages/vfio_unpin_pages on a device not open");
}

int VfioCore::pin_pages(const std::string& device, dma_addr_t iova, uint64_t npage, int prot) {
  // No pages, or a device not open (its group in no container): -EINVAL;
  // then vfio_device_container_pin_pages() takes at most
  // VFIO_PIN_PAGES_MAX_ENTRIES pages at a time.
  if (npage == 0) return -EINVAL;
  auto mdev = mdevs_.find(device_index(device));
  if (warn_not_open(mdev == mdevs_.end())) return -EINVAL;
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
  if (warn_not_open(mdev == mdevs_.end())) return;
  // vfio_device_container_unpin_pages()
  if (kernel_.log.warn_on(npage == 0 || npage > VFIO_PIN_PAGES_MAX_ENTRIES,
                          "vfio_unpin_pages: a page count of 0 or above 512"))
    return;
  MdevDriver& driver = *mdev->second;
  driver.container().unpin_pages(iova, static_cast<int>(npage));
  driver.unpinned(iova, npage);
}

}  // namespace iocsim::vfio
