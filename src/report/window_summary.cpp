// SPDX-License-Identifier: GPL-2.0-only
#include "report/window_summary.h"

#include <algorithm>

namespace iocsim::report {

std::vector<KindSummary> summarize_windows(const nlohmann::json& windows) {
  std::vector<KindSummary> kinds;
  for (const auto& w : windows) {
    const std::string kind = w["kind"];
    auto it = std::find_if(kinds.begin(), kinds.end(),
                           [&](const KindSummary& k) { return k.kind == kind; });
    if (it == kinds.end()) it = kinds.insert(kinds.end(), KindSummary{kind});
    ++it->count;
    it->longest_ns = std::max(it->longest_ns, w["duration_ns"].get<double>());
    if (!w["realized"].get<bool>()) continue;
    const double hit = w["first_hit_ns"].get<double>() - w["start_ns"].get<double>();
    it->quickest_hit_ns = it->realized ? std::min(it->quickest_hit_ns, hit) : hit;
    ++it->realized;
  }
  return kinds;
}

}  // namespace iocsim::report
