// SPDX-License-Identifier: GPL-2.0-only
// Every parameter a platform reads: the models' own declarations plus the
// simulation and kernel-software costs the platform reads itself.
#pragma once

#include "models/common/params.h"

namespace iocsim::platform {

const params::Catalog& catalog();

// The parameter cycles are counted in.
inline constexpr const char* kClockParam = "cpu.freq";

}  // namespace iocsim::platform
