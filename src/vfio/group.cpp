// SPDX-License-Identifier: GPL-2.0-only
// drivers/vfio/group.c: a group joins and leaves a container
// (VFIO_GROUP_SET_CONTAINER, VFIO_GROUP_UNSET_CONTAINER), and its devices
// open and close with it (see vfio_core.h).
#include <cerrno>
#include <stdexcept>

#include "vfio/vfio_core.h"

namespace iocsim::vfio {

void VfioCore::add_device(VfioDevice device) {
  Group& group = groups_[device.group];
  group.emulated = group.emulated || device.emulated;
  devices_.push_back(std::move(device));
}

size_t VfioCore::device_index(const std::string& name) const {
  for (size_t i = 0; i < devices_.size(); ++i)
    if (devices_[i].name == name) return i;
  throw std::logic_error("the VFIO core knows no device " + name);
}

std::optional<int> VfioCore::container_of_device(const std::string& name) const {
  return groups_.at(devices_[device_index(name)].group).container;
}

int VfioCore::group_set_container(GroupId id, int fd) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  Group& group = groups_[id];
  if (group.container) return -EINVAL;  // the group already has one
  // nosnoop-off: vfio-pci clears (and virtualises) the No-Snoop enable of
  // the group's functions as it enables them, before they can reach a domain.
  if (kernel_.config.policy->clear_nosnoop_enable)
    for (const VfioDevice& d : devices_)
      if (d.group == id && d.pci) d.pci->set_nosnoop_enable(false);
  // vfio_container_attach_group(): the backend attaches the group.
  if (int ret = iommu->attach_group(id, group.emulated ? GroupType::emulated : GroupType::iommu))
    return ret;
  group.container = fd;
  open_devices(id, *iommu);
  return 0;
}

// A scenario names the container the group leaves; a group that does not
// sit there gets what a group in no container gets.
int VfioCore::group_unset_container(GroupId id, int fd) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  auto group = groups_.find(id);
  if (group == groups_.end() || group->second.container != fd) return -EINVAL;
  close_devices(id, *iommu);  // the devices close before their group leaves
  iommu->detach_group(id);
  group->second.container.reset();
  return 0;
}

void VfioCore::open_devices(GroupId group, IommuData& iommu) {
  for (size_t i = 0; i < devices_.size(); ++i) {
    if (devices_[i].group != group || !devices_[i].emulated) continue;
    // vfio_device_container_register(): its driver gets dma_unmap callbacks.
    auto driver = std::make_unique<MdevDriver>(iommu, group);
    iommu.register_device(driver.get());
    mdevs_[i] = std::move(driver);
  }
}

void VfioCore::close_devices(GroupId group, IommuData& iommu) {
  for (auto it = mdevs_.begin(); it != mdevs_.end();) {
    MdevDriver& driver = *it->second;
    if (driver.group() != group) {
      ++it;
      continue;
    }
    // Closing the device: its driver lets go of every page it pinned, as a
    // driver's release path does (the kernel would not let the group go
    // while the device is open).
    driver.dma_unmap(0, ~uint64_t{0});
    iommu.unregister_device(&driver);
    it = mdevs_.erase(it);
  }
}

}  // namespace iocsim::vfio
