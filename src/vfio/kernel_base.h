// SPDX-License-Identifier: GPL-2.0-only
// The upstream kernels whose behaviour the port follows, declared once
// (docs/kernel-behaviour.md says what differs between them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/enum_names.h"

namespace iocsim::vfio {

// v6.9: the base the 2024 series patched (fgsp probe; wraps are EINVAL).
// v6.18: after the fgsp removal and the v6.18-rc4 overflow fixes (EOVERFLOW).
enum class KernelBase : uint8_t { v6_9, v6_18 };

inline constexpr std::string_view kKernelBaseNames[] = {"v6.9", "v6.18"};

inline constexpr std::string_view to_string(KernelBase base) {
  return kKernelBaseNames[static_cast<size_t>(base)];
}

inline std::optional<KernelBase> kernel_base_named(std::string_view name) {
  return enum_named<KernelBase>(kKernelBaseNames, name);
}

inline std::vector<std::string> kernel_base_names() { return enum_names(kKernelBaseNames); }

}  // namespace iocsim::vfio
