// SPDX-License-Identifier: GPL-2.0-only
// drivers/vfio/container.c: the backends VFIO_SET_IOMMU chooses from, the
// container fds, VFIO_CHECK_EXTENSION, and the ioctls passed through to the
// backend.
#include <cerrno>

#include "vfio/vfio_core.h"

namespace iocsim::vfio {

VfioCore::VfioCore(Kernel& kernel) : kernel_(kernel) {}

VfioCore::~VfioCore() = default;

void VfioCore::register_iommu_driver(std::unique_ptr<IommuDriver> driver) {
  drivers_.push_back(std::move(driver));
}

void VfioCore::charge_syscall() { kernel_.host.cpu().compute(kernel_.config.syscall_picos); }

IommuData* VfioCore::enter(int fd) {
  charge_syscall();
  IommuData* iommu = live(fd);
  if (iommu) kernel_.current = &iommu->owner();
  return iommu;
}

IommuData* VfioCore::live(int fd) {
  auto it = containers_.find(fd);
  if (it == containers_.end() || it->second->released()) return nullptr;
  return it->second.get();
}

bool VfioCore::is_open(int fd) const {
  const IommuData* iommu = container(fd);
  return iommu && !iommu->released();
}

const IommuData* VfioCore::container(int fd) const {
  auto it = containers_.find(fd);
  return it == containers_.end() ? nullptr : it->second.get();
}

std::vector<const IommuData*> VfioCore::containers() const {
  std::vector<const IommuData*> out;
  for (const auto& [fd, iommu] : containers_) out.push_back(iommu.get());
  return out;
}

// vfio_fops_open() and vfio_ioctl_set_iommu(): the first registered backend
// of the device node that says it supports `iommu_type` (VFIO_CHECK_EXTENSION)
// and opens with it becomes the container's. A container with no group gets -EINVAL from the
// kernel (see vfio_core.h); so does a type no backend takes.
int VfioCore::open(host::Process& caller, unsigned long iommu_type, std::string_view backend) {
  charge_syscall();
  kernel_.current = &caller;
  int ret = -EINVAL;
  for (const auto& driver : drivers_) {
    if (driver->backend() != backend || driver->check_extension(iommu_type) <= 0) continue;
    const int fd = next_fd_;
    int err = 0;
    std::unique_ptr<IommuData> data = driver->open(iommu_type, caller, fd, &err);
    if (!data) {
      ret = err;
      continue;
    }
    containers_[fd] = std::move(data);
    ++next_fd_;
    return fd;
  }
  return ret;
}

// vfio_container_ioctl_check_extension(): the container's backend, or with
// none, every registered backend until one says yes.
long VfioCore::check_extension(std::optional<int> fd, unsigned long arg,
                               std::string_view backend) {
  charge_syscall();
  if (IommuData* iommu = fd ? live(*fd) : nullptr) return iommu->check_extension(arg);
  long ret = 0;
  for (const auto& driver : drivers_)
    if (driver->backend() == backend && (ret = driver->check_extension(arg)) > 0) break;
  return ret;
}

int VfioCore::close(int fd) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  for (auto& [id, group] : groups_) {
    if (group.container != fd) continue;
    close_devices(id, *iommu);
    group.container.reset();
  }
  iommu->release();
  return 0;
}

int VfioCore::map_dma(int fd, const DmaMapArgs& args, host::Process* caller) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  if (caller) kernel_.current = caller;
  return iommu->map_dma(args);
}

int VfioCore::unmap_dma(int fd, DmaUnmapDirtyArgs& args) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  return iommu->unmap_dma(args);
}

int VfioCore::get_info(int fd, uint32_t argsz, IommuInfo& info) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  return iommu->get_info(argsz, info);
}

int VfioCore::dirty_pages(int fd, DirtyPagesArgs& args) {
  IommuData* iommu = enter(fd);
  if (!iommu) return -EBADF;
  return iommu->dirty_pages(args);
}

}  // namespace iocsim::vfio
