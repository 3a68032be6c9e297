// SPDX-License-Identifier: GPL-2.0-only
// drivers/iommu/iommufd/device.c: attaching a device to an IOAS through an
// automatic domain, and detaching it.
#include <cerrno>

#include "iommufd/ioas.h"

namespace iocsim::iommufd {

int Ioas::iommufd_hw_pagetable_attach(HwptPaging& hwpt, vfio::GroupId device) {
  // Try to upgrade the domain to enforce coherency when the device can.
  if (kernel_.iommu.capable_enforce_cache_coherency(device)) {
    if (int rc = iommufd_hwpt_paging_enforce_cc(hwpt)) return rc;
  }
  if (int rc = iopt.iopt_table_enforce_group_resv_regions(device, device_owner(device))) return rc;
  if (int rc = kernel_.iommu.attach_group(hwpt.domain, device)) {
    iopt.iopt_remove_reserved_iova(device_owner(device));
    return rc;
  }
  hwpt.devices++;
  attached_[device] = &hwpt;
  return 0;
}

void Ioas::iommufd_hw_pagetable_detach(vfio::GroupId device) {
  HwptPaging& hwpt = *attached_.at(device);
  kernel_.iommu.detach_group(hwpt.domain, device);
  hwpt.devices--;
  attached_.erase(device);
  iopt.iopt_remove_reserved_iova(device_owner(device));
}

int Ioas::iommufd_device_attach(vfio::GroupId device) {
  if (attached_.count(device)) return -EINVAL;
  for (HwptPaging& hwpt : hwpt_list) {
    if (!hwpt.auto_domain) continue;
    const int rc = iommufd_hw_pagetable_attach(hwpt, device);
    // -EINVAL: the domain does not suit the device; try the next one.
    if (rc == -EINVAL) continue;
    return rc;
  }
  return iommufd_hwpt_paging_alloc(device, true);
}

void Ioas::iommufd_device_detach(vfio::GroupId device) {
  HwptPaging* hwpt = attached_.at(device);
  iommufd_hw_pagetable_detach(device);
  // iommufd_hw_pagetable_put(): an automatic domain goes with its last device.
  if (!hwpt->auto_domain || hwpt->devices) return;
  for (auto it = hwpt_list.begin(); it != hwpt_list.end(); ++it)
    if (&*it == hwpt) return iommufd_hwpt_paging_destroy(it);
}

void Ioas::destroy() {
  uint64_t unmapped = 0;
  const int rc = iopt.iopt_unmap_all(&unmapped);
  kernel_.log.warn_on(rc != 0 && rc != -ENOENT, "iommufd_ioas_destroy: unmap_all failed");
}

}  // namespace iocsim::iommufd
