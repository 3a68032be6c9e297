// SPDX-License-Identifier: GPL-2.0-only
// The vendor driver of an emulated (mdev) device, as far as VFIO sees it: it
// pins guest pages through vfio_pin_pages() to reach them, remembers what it
// pinned, and drops the pins in a range its container is about to unmap when
// the dma_unmap callback tells it to (vfio_device_ops.dma_unmap), as drivers
// such as kvmgt do.
#pragma once

#include <cstdint>
#include <map>

#include "vfio/ioctl_args.h"
#include "vfio/iommu_core.h"

namespace iocsim::vfio {

class IommuData;

class MdevDriver : public EmulatedDevice {
 public:
  MdevDriver(IommuData& container, GroupId group) : container_(&container), group_(group) {}

  // The pages vfio_pin_pages() pinned for it, from `iova` on.
  void pinned(dma_addr_t iova, uint64_t pages);
  // The pages it unpinned with vfio_unpin_pages(), from `iova` on.
  void unpinned(dma_addr_t iova, uint64_t pages);
  // Unpins every page it holds in [iova, iova + size).
  void dma_unmap(dma_addr_t iova, uint64_t size) override;

  IommuData& container() const { return *container_; }
  GroupId group() const { return group_; }

 private:
  IommuData* container_;
  GroupId group_;
  std::map<dma_addr_t, unsigned> pins_;  // iova -> times pinned
};

}  // namespace iocsim::vfio
