// SPDX-License-Identifier: GPL-2.0-only
// The machine-readable report (docs/format.md 5). The text report is
// rendered from it, so both always say the same.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::report {

nlohmann::json to_json(const scenario::RunResult& result);

// `--policy all`: {"runs": [...], "comparison": {...}} with the comparison
// giving every headline metric by policy. Takes the runs over (each can be
// megabytes).
nlohmann::json combine(std::vector<nlohmann::json> runs);

}  // namespace iocsim::report
