// SPDX-License-Identifier: GPL-2.0-only
// The machine-readable report (docs/format.md 5). The text report is
// rendered from it, so both always say the same.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/driver.h"

namespace iocsim::report {

nlohmann::json to_json(const scenario::RunResult& result);

// `--policy all` (or `--backend all`): {"runs": [...], "comparison": {...}}
// with the comparison giving every headline metric by run label. Takes the runs over (each can be
// megabytes).
nlohmann::json combine(std::vector<nlohmann::json> runs);
// Whether the runs of a comparison differ in backend (--backend all).
bool backends_differ(const nlohmann::json& runs);
// What a run is called beside others: its policy, and its backend when
// `with_backend` ("posted-v1/iommufd").
std::string run_label(const nlohmann::json& run, bool with_backend);

}  // namespace iocsim::report
