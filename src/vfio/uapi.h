// SPDX-License-Identifier: GPL-2.0-only
// Constants of include/uapi/linux/vfio.h and include/linux/iommu.h that the
// type1 port uses, with the kernel's values.
#pragma once

#include <cstdint>

namespace iocsim::vfio {

using dma_addr_t = uint64_t;
using phys_addr_t = uint64_t;

inline constexpr uint64_t PAGE_SHIFT = 12;
inline constexpr uint64_t PAGE_SIZE = uint64_t{1} << PAGE_SHIFT;
inline constexpr uint64_t PAGE_MASK = ~(PAGE_SIZE - 1);

// VFIO_CHECK_EXTENSION / VFIO_SET_IOMMU arguments.
inline constexpr unsigned long VFIO_TYPE1_IOMMU = 1;
inline constexpr unsigned long VFIO_TYPE1v2_IOMMU = 3;
inline constexpr unsigned long VFIO_DMA_CC_IOMMU = 4;
inline constexpr unsigned long VFIO_TYPE1_NESTING_IOMMU = 6;
inline constexpr unsigned long VFIO_UNMAP_ALL = 9;
inline constexpr unsigned long VFIO_UPDATE_VADDR = 10;

// struct vfio_iommu_type1_dma_map
inline constexpr uint32_t VFIO_DMA_MAP_FLAG_READ = 1u << 0;
inline constexpr uint32_t VFIO_DMA_MAP_FLAG_WRITE = 1u << 1;
inline constexpr uint32_t VFIO_DMA_MAP_FLAG_VADDR = 1u << 2;
inline constexpr uint32_t kDmaMapMinsz = 32;  // offsetofend(..., size)

// struct vfio_iommu_type1_dma_unmap
inline constexpr uint32_t VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1u << 0;
inline constexpr uint32_t VFIO_DMA_UNMAP_FLAG_ALL = 1u << 1;
inline constexpr uint32_t VFIO_DMA_UNMAP_FLAG_VADDR = 1u << 2;
inline constexpr uint32_t kDmaUnmapMinsz = 24;  // offsetofend(..., size)

// IOMMU_* prot bits (include/linux/iommu.h)
inline constexpr int IOMMU_READ = 1 << 0;
inline constexpr int IOMMU_WRITE = 1 << 1;
inline constexpr int IOMMU_CACHE = 1 << 2;

// VFIO_IOMMU_TLB_SYNC_MAX: regions fast-unmapped per IOTLB sync.
inline constexpr int VFIO_IOMMU_TLB_SYNC_MAX = 512;

// Lowest set bit, as __ffs(); the argument must not be 0.
inline unsigned ffs64(uint64_t x) { return static_cast<unsigned>(__builtin_ctzll(x)); }

}  // namespace iocsim::vfio
