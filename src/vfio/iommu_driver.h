// SPDX-License-Identifier: GPL-2.0-only
// A VFIO IOMMU backend as the VFIO core sees it: struct
// vfio_iommu_driver_ops (drivers/vfio/vfio.h). The core picks a backend at
// VFIO_SET_IOMMU by asking each registered one whether it supports the
// requested type, opens it, and passes every container ioctl it does not
// handle itself through to the state that open returned (iommu_data).
//
// type1 (drivers/vfio/vfio_iommu_type1.c, src/vfio/type1/) is one backend;
// iommufd's VFIO compatibility layer (src/iommufd/vfio_compat.h) is the
// other: the container is then a file on /dev/iommu, not on /dev/vfio/vfio,
// so the core only asks the backends of the device node a scenario opens.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "base/set_digest.h"
#include "host/process.h"
#include "vfio/flush_observer.h"
#include "vfio/iommu_core.h"
#include "vfio/ioctl_args.h"

namespace iocsim::vfio {

// One user mapping as `state` steps and the locked_vm invariant read it (the
// check that failed operations restore the kernel reads mappings_digest()).
struct MappingState {
  dma_addr_t iova = 0;
  uint64_t size = 0;
  const host::Process* mm = nullptr;  // whose locked_vm it charges
  uint64_t locked_vm = 0;             // pages it charges there
};

// IOMMU map and unmap calls a container made, failed ones included.
struct IommuCalls {
  uint64_t map = 0;
  uint64_t unmap = 0;
};

// The backend's state for one container (iommu_data) and the ops that take it.
class IommuData {
 public:
  virtual ~IommuData() = default;

  // .ioctl: the container ioctls the core passes through.
  virtual long check_extension(unsigned long arg) = 0;
  virtual int map_dma(const DmaMapArgs& args) = 0;
  // With VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, args.bitmap is the user's buffer.
  virtual int unmap_dma(DmaUnmapDirtyArgs& args) = 0;
  virtual int get_info(uint32_t argsz, IommuInfo& info) = 0;
  virtual int dirty_pages(DirtyPagesArgs& args) = 0;

  // .attach_group / .detach_group / .release
  virtual int attach_group(GroupId group, GroupType type) = 0;
  virtual void detach_group(GroupId group) = 0;
  virtual void release() = 0;

  // .pin_pages / .unpin_pages / .register_device / .unregister_device: the
  // external interface of emulated devices' drivers.
  virtual int pin_pages(GroupId group, dma_addr_t iova, int npage, int prot,
                        std::vector<unsigned long>& pages) = 0;
  virtual void unpin_pages(dma_addr_t iova, int npage) = 0;
  virtual void register_device(EmulatedDevice* device) = 0;
  virtual void unregister_device(EmulatedDevice* device) = 0;

  // --- what iocsim reads; a released container reads empty ---
  virtual bool released() const = 0;
  virtual host::Process& owner() const = 0;
  virtual unsigned dma_avail() const = 0;
  virtual std::vector<MappingState> mappings() const = 0;
  // A digest of every mapping's iova, size, vaddr, prot, whether it is in
  // the IOMMU domains, whether its vaddr waits for a new one
  // (VFIO_DMA_MAP_FLAG_VADDR), whether it has a dirty bitmap, and its
  // emulated devices' pins: what a failed operation must leave as it was.
  // Reading it costs what changed since it was last read.
  virtual SetDigest mappings_digest() const = 0;
  virtual std::vector<DomainHandle> domains() const = 0;
  // The usable IOVA windows, inclusive.
  virtual std::vector<std::pair<dma_addr_t, dma_addr_t>> iova_windows() const = 0;
  // Pages the container holds pinned (each once, however many domains map it).
  virtual uint64_t pinned_pages() const = 0;
  virtual unsigned noncoherent_domains() const = 0;
  // What the flush policy's tracking believes (the series' bool or counter).
  virtual bool has_noncoherent_domain() const = 0;
  virtual unsigned vaddr_invalid_count() const = 0;
  virtual IommuCalls iommu_calls() const = 0;
};

// struct vfio_iommu_driver_ops without the per-container ops: a backend the
// core can choose at VFIO_SET_IOMMU.
class IommuDriver {
 public:
  virtual ~IommuDriver() = default;
  virtual std::string_view name() const = 0;
  // The backend as scenarios name it (`open: {backend: ...}`): which device
  // node a container is opened on.
  virtual std::string_view backend() const = 0;
  // .ioctl(NULL, VFIO_CHECK_EXTENSION, arg): asked before a container has one.
  virtual long check_extension(unsigned long arg) const = 0;
  // .open(arg) for the container `id` that `owner` opened; *err on failure.
  virtual std::unique_ptr<IommuData> open(unsigned long arg, host::Process& owner,
                                          ContainerId id, int* err) = 0;
};

}  // namespace iocsim::vfio
