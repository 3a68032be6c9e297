// SPDX-License-Identifier: GPL-2.0-only
// Constants of include/uapi/linux/vfio.h, include/linux/vfio.h and
// include/linux/iommu.h that the VFIO port uses, with the kernel's values.
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

// struct vfio_iommu_type1_info
inline constexpr uint32_t VFIO_IOMMU_INFO_PGSIZES = 1u << 0;
inline constexpr uint32_t VFIO_IOMMU_INFO_CAPS = 1u << 1;
inline constexpr uint32_t kInfoMinsz = 16;  // offsetofend(..., iova_pgsizes)
inline constexpr uint32_t kInfoSize = 24;   // sizeof(struct vfio_iommu_type1_info)
inline constexpr uint16_t VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
inline constexpr uint16_t VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION = 2;
inline constexpr uint16_t VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL = 3;

// struct vfio_iommu_type1_dirty_bitmap (+ _get) and struct vfio_bitmap
inline constexpr uint32_t VFIO_IOMMU_DIRTY_PAGES_FLAG_START = 1u << 0;
inline constexpr uint32_t VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP = 1u << 1;
inline constexpr uint32_t VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP = 1u << 2;
inline constexpr uint32_t kDirtyMinsz = 8;          // offsetofend(..., flags)
inline constexpr uint32_t kDirtyRangeSize = 40;     // sizeof(struct ..._dirty_bitmap_get)
inline constexpr uint32_t kBitmapSize = 24;         // sizeof(struct vfio_bitmap)
// DIRTY_BITMAP_PAGES_MAX = INT_MAX; DIRTY_BITMAP_SIZE_MAX = DIRTY_BITMAP_BYTES(INT_MAX)
inline constexpr uint64_t kDirtyBitmapPagesMax = 0x7fffffff;
inline constexpr uint64_t dirty_bitmap_bytes(uint64_t npages) { return (npages + 63) / 64 * 8; }
inline constexpr uint64_t kDirtyBitmapSizeMax = dirty_bitmap_bytes(kDirtyBitmapPagesMax);

// IOMMU_* prot bits (include/linux/iommu.h)
inline constexpr int IOMMU_READ = 1 << 0;
inline constexpr int IOMMU_WRITE = 1 << 1;
inline constexpr int IOMMU_CACHE = 1 << 2;

// VFIO_PIN_PAGES_MAX_ENTRIES (include/linux/vfio.h): pages one vfio_pin_pages() may pin.
inline constexpr uint64_t VFIO_PIN_PAGES_MAX_ENTRIES = PAGE_SIZE / sizeof(unsigned long);

// VFIO_IOMMU_TLB_SYNC_MAX: regions fast-unmapped per IOTLB sync.
inline constexpr int VFIO_IOMMU_TLB_SYNC_MAX = 512;

// Highest set bit, as __fls(); the argument must not be 0.
inline unsigned fls64(uint64_t x) { return 63u - static_cast<unsigned>(__builtin_clzll(x)); }

// Lowest set bit, as __ffs(); the argument must not be 0.
inline unsigned ffs64(uint64_t x) { return static_cast<unsigned>(__builtin_ctzll(x)); }

}  // namespace iocsim::vfio
