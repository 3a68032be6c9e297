// SPDX-License-Identifier: GPL-2.0-only
// Linux errno names <-> values, for scenarios and reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iocsim::vfio {

// "EINVAL" for 22 (or -22); "E?" followed by the number for unknown values.
std::string errno_name(int err);
std::optional<int> errno_value(std::string_view name);
std::vector<std::string> errno_names();

}  // namespace iocsim::vfio
