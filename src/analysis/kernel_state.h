// SPDX-License-Identifier: GPL-2.0-only
// What a failed operation must leave exactly as it found it
// (docs/format.md 6): pinned pages, locked memory accounting, IOMMU translations, and
// each container's mappings (with their dirty bitmaps and external pins),
// domains, IOVA windows and dma_avail.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/set_digest.h"
#include "host/host.h"
#include "vfio/iommu_driver.h"

namespace iocsim::analysis {

struct KernelState {
  struct Container {
    unsigned dma_avail = 0;
    SetDigest mappings;  // IommuData::mappings_digest()
    std::vector<vfio::DomainHandle> domains;
    std::vector<std::pair<uint64_t, uint64_t>> windows;
  };
  SetDigest pins;
  std::map<std::string, uint64_t> locked_vm;  // by principal
  std::map<std::string, Container> containers;
  std::map<vfio::DomainHandle, SetDigest> translations;
};

KernelState capture(const std::map<std::string, const vfio::IommuData*>& containers,
                    const host::Host& host,
                    const std::map<vfio::DomainHandle, SetDigest>& translations);

// What differs, one line each ("locked_vm of vm-a: 512 -> 0"); empty if equal.
std::vector<std::string> differences(const KernelState& before, const KernelState& after);

}  // namespace iocsim::analysis
