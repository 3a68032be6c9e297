// SPDX-License-Identifier: GPL-2.0-only
// The arguments of the VFIO container ioctls as user space fills them
// (include/uapi/linux/vfio.h), what they copy back, and the callback an
// emulated device's driver registers: what every VFIO IOMMU backend takes.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "vfio/uapi.h"

namespace iocsim::vfio {

enum class GroupType { iommu, emulated };

// struct vfio_iommu_type1_dma_map as user space fills it.
struct DmaMapArgs {
  uint32_t argsz = kDmaMapMinsz;
  uint32_t flags = 0;
  uint64_t vaddr = 0;
  uint64_t iova = 0;
  uint64_t size = 0;
};

// struct vfio_iommu_type1_dma_unmap; `size` is written back on success.
struct DmaUnmapArgs {
  uint32_t argsz = kDmaUnmapMinsz;
  uint32_t flags = 0;
  uint64_t iova = 0;
  uint64_t size = 0;
};

// A user buffer for dirty bits (struct vfio_bitmap): `size` bytes of bits at
// `pgsize` granularity. The simulated user memory is always accessible.
struct DirtyBitmap {
  uint64_t pgsize = 0;
  uint64_t size = 0;            // bytes
  std::vector<uint64_t> words;  // filled by the kernel

  std::vector<uint64_t> set_bits() const;
};

// struct vfio_iommu_type1_dma_unmap with its optional vfio_bitmap.
struct DmaUnmapDirtyArgs {
  DmaUnmapArgs unmap;
  DirtyBitmap bitmap;
};

// VFIO_IOMMU_GET_INFO as user space sees the result: only what was copied
// back (min(argsz, 24) bytes of the struct, the chain if it fitted).
struct IommuInfo {
  struct Cap {
    uint16_t id = 0;
    uint64_t pgsize_bitmap = 0;          // migration
    uint64_t max_dirty_bitmap_size = 0;  // migration
    uint32_t avail = 0;                  // dma_avail
    std::vector<std::pair<uint64_t, uint64_t>> ranges;  // iova_range
  };
  uint32_t argsz = 0;
  uint32_t flags = 0;
  uint64_t iova_pgsizes = 0;
  std::optional<uint32_t> cap_offset;  // when it was copied back
  std::vector<Cap> caps;               // when the chain was copied
};

// VFIO_IOMMU_DIRTY_PAGES
struct DirtyPagesArgs {
  uint32_t argsz = kDirtyMinsz;
  uint32_t flags = 0;
  uint64_t iova = 0;  // GET_BITMAP: the range and the buffer
  uint64_t size = 0;
  DirtyBitmap bitmap;
};

// An emulated (mdev) device's driver, told to drop its pins in a range the
// container is about to unmap (vfio_device_ops.dma_unmap).
class EmulatedDevice {
 public:
  virtual ~EmulatedDevice() = default;
  virtual void dma_unmap(dma_addr_t iova, uint64_t size) = 0;
};

}  // namespace iocsim::vfio
