// SPDX-License-Identifier: GPL-2.0-only
// An IOAS (struct iommufd_ioas, drivers/iommu/iommufd/ioas.c) with the
// paging HW page tables allocated on it (hw_pagetable.c) and the devices
// attached to them (device.c). A device here is a VFIO group's devices,
// attached and detached together as the VFIO core does.
#pragma once

#include <list>
#include <map>

#include "iommufd/io_pagetable.h"

namespace iocsim::iommufd {

// struct iommufd_hwpt_paging
struct HwptPaging {
  DomainHandle domain = 0;
  bool enforce_cache_coherency = false;
  bool auto_domain = true;  // allocated by attach, destroyed with its last device
  unsigned devices = 0;     // attached devices (the object's users)
};

class Ioas {
 public:
  Ioas(vfio::Kernel& kernel, vfio::BackendCalls& calls)
      : iopt(kernel, calls), kernel_(kernel), calls_(calls) {}

  // device.c: iommufd_device_attach() to this IOAS, which finds a compatible
  // automatic domain or allocates one (iommufd_device_auto_get_domain).
  int iommufd_device_attach(vfio::GroupId device);
  void iommufd_device_detach(vfio::GroupId device);
  // iommufd_ioas_destroy(): every area unmapped.
  void destroy();

  IoPagetable iopt;
  std::list<HwptPaging> hwpt_list;  // oldest first

  // Which HWPT each attached device uses.
  const std::map<vfio::GroupId, HwptPaging*>& attached() const { return attached_; }

 private:
  using HwptIter = std::list<HwptPaging>::iterator;

  // hw_pagetable.c
  int iommufd_hwpt_paging_alloc(vfio::GroupId device, bool immediate_attach);
  void iommufd_hwpt_paging_destroy(HwptIter hwpt);
  int iommufd_hwpt_paging_enforce_cc(HwptPaging& hwpt);
  // device.c
  int iommufd_hw_pagetable_attach(HwptPaging& hwpt, vfio::GroupId device);
  void iommufd_hw_pagetable_detach(vfio::GroupId device);
  // eager-unmap: when the last non-coherent domain goes while coherent ones
  // remain, the pages it could reach are flushed then.
  void flush_on_leaving_noncoherent();

  vfio::Kernel& kernel_;
  vfio::BackendCalls& calls_;
  std::map<vfio::GroupId, HwptPaging*> attached_;
};

}  // namespace iocsim::iommufd
