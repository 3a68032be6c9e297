// SPDX-License-Identifier: GPL-2.0-only
// VFIO_IOMMU_GET_INFO: page sizes and the capability chain (migration,
// dma_avail, IOVA ranges), with the argsz negotiation of the uAPI.
#include <algorithm>
#include <cerrno>

#include "vfio/type1/vfio_iommu.h"

namespace iocsim::vfio {
namespace {

// Capability structures and their sizes, each padded to 8 bytes when added
// to the chain (vfio_info_cap_add).
constexpr uint64_t kCapHeader = 8;
constexpr uint64_t kMigrationCap = kCapHeader + 4 + 4 + 8 + 8;  // flags, pad, 2 x u64
constexpr uint64_t kDmaAvailCap = kCapHeader + 4;
constexpr uint64_t iova_range_cap(uint64_t n) { return kCapHeader + 4 + 4 + 16 * n; }
constexpr uint64_t aligned(uint64_t size) { return (size + 7) & ~uint64_t{7}; }

}  // namespace

int VfioIommu::get_info(uint32_t argsz, IommuInfo& out) {
  if (argsz < kInfoMinsz) return -EINVAL;
  const uint32_t minsz = std::min(argsz, kInfoSize);

  uint32_t flags = VFIO_IOMMU_INFO_PGSIZES;
  std::vector<IommuInfo::Cap> caps;
  uint64_t caps_size = 0;
  // vfio_info_cap_add() reallocates the chain for each capability.
  auto add = [&](IommuInfo::Cap cap, uint64_t size) -> int {
    if (alloc_fails()) return -ENOMEM;
    caps.push_back(std::move(cap));
    caps_size += aligned(size);
    return 0;
  };

  IommuInfo::Cap migration;
  migration.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
  migration.pgsize_bitmap = uint64_t{1} << ffs64(pgsize_bitmap_);  // the smallest only
  migration.max_dirty_bitmap_size = kDirtyBitmapSizeMax;
  int ret = add(migration, kMigrationCap);

  if (!ret) {
    IommuInfo::Cap avail;
    avail.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
    avail.avail = dma_avail_;
    ret = add(avail, kDmaAvailCap);
  }

  // A container with only an mdev has no windows and no IOVA range cap.
  if (!ret && !iova_list_.empty()) {
    IommuInfo::Cap ranges;
    ranges.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
    for (const VfioIova& w : iova_list_) ranges.ranges.emplace_back(w.start, w.end);
    // The ranges are gathered in their own allocation first.
    ret = alloc_fails() ? -ENOMEM : add(ranges, iova_range_cap(iova_list_.size()));
  }
  if (ret) return ret;

  uint32_t info_argsz = argsz;
  uint32_t cap_offset = 0;
  bool chain_copied = false;
  if (caps_size) {
    flags |= VFIO_IOMMU_INFO_CAPS;
    if (argsz < kInfoSize + caps_size) {
      // Too small for the chain: say how much is needed; not an error.
      info_argsz = static_cast<uint32_t>(kInfoSize + caps_size);
    } else {
      chain_copied = true;
      cap_offset = kInfoSize;
    }
  }

  // Only min(argsz, sizeof(info)) bytes are copied back.
  out = IommuInfo{};
  out.argsz = info_argsz;
  out.flags = flags;
  out.iova_pgsizes = pgsize_bitmap_;
  if (minsz >= kInfoMinsz + 4) out.cap_offset = cap_offset;
  if (chain_copied) out.caps = std::move(caps);
  return 0;
}

}  // namespace iocsim::vfio
