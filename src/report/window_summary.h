// SPDX-License-Identifier: GPL-2.0-only
// A report's windows summed up by kind: how many runs, how many windows they
// hold and how many of those an access hit, the longest, the quickest hit.
// The text report's tables and `iocsim diff` read them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocsim::report {

struct KindSummary {
  std::string kind;
  size_t runs = 0;
  size_t count = 0, realized = 0;  // windows (analysis/hazards.h: one per line)
  double longest_ns = 0;
  double quickest_hit_ns = 0;  // of the realized ones
};

// Per hazard kind, in the order the kinds first appear in `windows` (a
// report's "windows"). A report of a version before windows were merged into
// runs has neither `windows` nor `realized_windows` nor `quickest_hit_ns`:
// each entry is then one window.
std::vector<KindSummary> summarize_windows(const nlohmann::json& windows);

}  // namespace iocsim::report
