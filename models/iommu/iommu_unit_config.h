// SPDX-License-Identifier: GPL-2.0-only
// What an IOMMU unit (iommu_unit.h) is built from: its identity and
// capabilities, and the IOTLB and invalidation settings every unit of a
// platform shares. No SystemC: presets and scenarios describe units with it.
#pragma once

#include <cstdint>
#include <string>

#include "base/picos.h"
#include "base/params.h"

namespace iocsim::models {

// The IOTLB geometry every unit of a platform shares (iommu.iotlb.*; a
// parameter of 0 ways reads as fully associative, ways == entries).
struct IotlbConfig {
  uint64_t entries = 128;
  uint64_t ways = 128;
  uint64_t walk_cache_entries = 0;  // paging-structure cache (0: none)

  static void declare(params::Catalog& catalog);
  static IotlbConfig from(const params::Set& set);
};

// How IOTLB syncs take effect on every unit of a platform (iommu.invalidation,
// iommu.fq.*): strictly, or through a flush queue.
struct InvalidationConfig {
  bool deferred = false;
  uint64_t fq_size = 256;
  Picos fq_timeout = 0;

  static void declare(params::Catalog& catalog);
  static InvalidationConfig from(const params::Set& set);
};

struct IommuUnitConfig {
  std::string driver;           // domains only merge within one driver
  bool snoop_control = false;   // domains can enforce cache coherency
  uint64_t pgsize_bitmap = 0;   // supported page sizes
  uint64_t aperture_start = 0;  // inclusive
  uint64_t aperture_end = 0;    // inclusive
  bool split_on_unmap = false;  // a partial unmap splits a large page
  unsigned levels = 4;          // page-table levels a walk starts from
  bool coherent_walk = true;    // page-walk reads snoop the CPU caches
  IotlbConfig iotlb{};
  InvalidationConfig invalidation{};
};

}  // namespace iocsim::models
