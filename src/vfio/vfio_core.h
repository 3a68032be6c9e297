// SPDX-License-Identifier: GPL-2.0-only
// The VFIO core: what drivers/vfio/container.c, group.c and vfio_main.c do
// around the IOMMU backends, plus the part of vfio-pci the flush policies
// reach. It owns the container file descriptors, which group sits in which
// container, the devices of every group and the drivers of emulated ones,
// the choice of backend at VFIO_SET_IOMMU, and the external pinning
// interface (vfio_pin_pages/vfio_unpin_pages).
//
// Each entry that is a system call charges the CPU the cost of entering and
// leaving the kernel (KernelConfig::syscall_picos) before the kernel's work,
// and runs with `current` set to the calling process: the one named, or the
// one that opened the container. Returns follow the kernel: a value >= 0, or
// -errno.
//
// Where iocsim's scenarios differ from the kernel's sequence, on purpose
// (docs/kernel-behaviour.md, "The VFIO core"):
// - `open` sets the backend on a fresh container (VFIO_SET_IOMMU), where the
//   kernel wants a group in the container first (else -EINVAL) and attaches
//   the groups already there; the end state is the same as attaching them
//   after. A type no backend takes is -EINVAL too, as on a fresh container.
//   It is charged as one system call (the open(2) of /dev/vfio/vfio is not).
// - a container keeps its backend when its last group leaves; the kernel
//   releases the backend then and wants VFIO_SET_IOMMU again.
// - closing a container closes its groups' and devices' files with it, so
//   the backend is released at once (the kernel keeps it while groups hold
//   the container).
// - a group's devices are opened when the group joins a container, and
//   closed before it leaves.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vfio/iommu_driver.h"
#include "vfio/kernel.h"
#include "vfio/mdev_driver.h"
#include "vfio/pci_function.h"

namespace iocsim::vfio {

// A device the core knows: a PCI function bound to vfio-pci, or an emulated
// (mdev) device whose vendor driver pins pages through the container.
struct VfioDevice {
  std::string name;
  GroupId group = 0;
  bool emulated = false;
  PciFunction* pci = nullptr;  // not for emulated devices
};

class VfioCore {
 public:
  explicit VfioCore(Kernel& kernel);
  ~VfioCore();

  // vfio_register_iommu_driver(): backends VFIO_SET_IOMMU chooses from, in
  // the order they are asked.
  void register_iommu_driver(std::unique_ptr<IommuDriver> driver);
  // A device and its group, known from the start.
  void add_device(VfioDevice device);

  // --- system calls on /dev/vfio/vfio and its container fds ---
  // A new container on the device node of `backend` (a registered
  // IommuDriver::backend()) with the backend of VFIO_SET_IOMMU `iommu_type`:
  // its fd.
  int open(host::Process& caller, unsigned long iommu_type, std::string_view backend);
  // VFIO_CHECK_EXTENSION on a container, or before any: then every backend
  // of `backend`'s device node is asked.
  long check_extension(std::optional<int> fd, unsigned long arg, std::string_view backend);
  // close(2) of a container fd, with its groups' files (see above).
  int close(int fd);
  // The backend's ioctls, passed through. `caller` null: the process that
  // opened the container.
  int map_dma(int fd, const DmaMapArgs& args, host::Process* caller = nullptr);
  int unmap_dma(int fd, DmaUnmapDirtyArgs& args);
  int get_info(int fd, uint32_t argsz, IommuInfo& info);
  int dirty_pages(int fd, DirtyPagesArgs& args);

  // --- system calls on a group fd ---
  // VFIO_GROUP_SET_CONTAINER, then the group's devices are opened.
  int group_set_container(GroupId group, int fd);
  // VFIO_GROUP_UNSET_CONTAINER of a group the scenario says sits in `fd`.
  int group_unset_container(GroupId group, int fd);

  // --- an emulated device's driver, in the kernel (no system call) ---
  // vfio_pin_pages() of `npage` pages at `iova`: how many were pinned. A
  // device not open WARNs (it is the driver's bug) and is -EINVAL.
  int pin_pages(const std::string& device, dma_addr_t iova, uint64_t npage, int prot);
  // vfio_unpin_pages(); it WARNs and does nothing for a closed device or a bad count.
  void unpin_pages(const std::string& device, dma_addr_t iova, uint64_t npage);

  // --- views ---
  // Whether `fd` is a container open now.
  bool is_open(int fd) const;
  // The backend state of a container ever opened (released ones read empty).
  const IommuData* container(int fd) const;
  // Every container ever opened, by fd.
  std::vector<const IommuData*> containers() const;
  // The container a device's group sits in, if any.
  std::optional<int> container_of_device(const std::string& device) const;

 private:
  struct Group {
    std::optional<int> container;
    bool emulated = false;
  };

  void charge_syscall();
  // A driver's call on a device that is not open: WARNs as the kernel does.
  bool warn_not_open(bool closed);
  // A system call's entry on container `fd`: its cost, then the live
  // container (null: not open), with `current` the process that opened it.
  IommuData* enter(int fd);
  // The live container behind `fd`, or null (never opened, or closed).
  IommuData* live(int fd);
  // The index of a device in devices_ (a logic_error if unknown).
  size_t device_index(const std::string& name) const;
  // Opening the group's devices: vfio-pci enables each PCI function; each
  // emulated device's driver registers for dma_unmap callbacks.
  void open_devices(GroupId group, IommuData& iommu);
  // Closing them: an emulated device's driver lets go of every page it pinned.
  void close_devices(GroupId group, IommuData& iommu);

  Kernel& kernel_;
  std::vector<std::unique_ptr<IommuDriver>> drivers_;
  std::vector<VfioDevice> devices_;
  std::map<GroupId, Group> groups_;
  std::map<int, std::unique_ptr<IommuData>> containers_;  // every fd ever opened
  // The drivers of open emulated devices, by index into devices_.
  std::map<size_t, std::unique_ptr<MdevDriver>> mdevs_;
  int next_fd_ = 3;  // after stdin, stdout and stderr
};

}  // namespace iocsim::vfio
