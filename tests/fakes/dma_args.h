// SPDX-License-Identifier: GPL-2.0-only
// The arguments of VFIO_IOMMU_MAP_DMA as the port tests' rigs fill them.
#pragma once

#include <cstdint>

#include "vfio/ioctl_args.h"

namespace iocsim::test {

inline vfio::DmaMapArgs map_args(uint64_t va, uint64_t iova, uint64_t size, uint32_t flags) {
  vfio::DmaMapArgs a;
  a.flags = flags;
  a.vaddr = va;
  a.iova = iova;
  a.size = size;
  return a;
}

}  // namespace iocsim::test
