// SPDX-License-Identifier: GPL-2.0-only
#pragma once

#include <string_view>

namespace iocsim::scenario {

// The VFIO backends a container can be opened on (`open: {backend: ...}`,
// `--backend`): type1's /dev/vfio/vfio, or /dev/iommu speaking the type1
// uAPI through iommufd's compatibility layer. The driver registers one
// IommuDriver of each name.
inline constexpr std::string_view kBackendNames[] = {"type1", "iommufd"};
inline constexpr std::string_view kDefaultBackend = "type1";
inline bool backend_named(std::string_view name) {
  for (std::string_view b : kBackendNames)
    if (b == name) return true;
  return false;
}

}  // namespace iocsim::scenario
