// SPDX-License-Identifier: GPL-2.0-only
// Every parameter a platform reads: the models' own declarations plus the
// simulation and kernel-software costs the platform reads itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/params.h"

namespace iocsim::platform {

const params::Catalog& catalog();

// Relations between parameters that no single value can break: each entry
// is one problem, in words. Empty when the set is consistent.
std::vector<std::string> inconsistencies(const params::Set& set);
// Whether a parameter may also be set per device (a scenario device's
// `params`): those of its PCIe link and its DMA engines, pcie.* and dma.*.
bool is_device_param(std::string_view name);

// The parameter cycles are counted in.
inline constexpr const char* kClockParam = "cpu.freq";

}  // namespace iocsim::platform
