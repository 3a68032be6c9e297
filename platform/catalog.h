// SPDX-License-Identifier: GPL-2.0-only
// Every parameter a platform reads: the models' own declarations plus the
// simulation and kernel-software costs the platform reads itself.
#pragma once

#include <string>
#include <vector>

#include "base/params.h"

namespace iocsim::platform {

const params::Catalog& catalog();

// Relations between parameters that no single value can break: each entry
// is one problem, in words. Empty when the set is consistent.
std::vector<std::string> inconsistencies(const params::Set& set);

// The parameter cycles are counted in.
inline constexpr const char* kClockParam = "cpu.freq";

}  // namespace iocsim::platform
