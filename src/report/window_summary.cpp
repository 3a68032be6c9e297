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
    ++it->runs;
    it->count += w.value("windows", size_t{1});
    it->longest_ns = std::max(it->longest_ns, w["duration_ns"].get<double>());
    if (!w["realized"].get<bool>()) continue;
    const double hit = w.contains("quickest_hit_ns")
                           ? w["quickest_hit_ns"].get<double>()
                           : w["first_hit_ns"].get<double>() - w["start_ns"].get<double>();
    it->quickest_hit_ns = it->realized ? std::min(it->quickest_hit_ns, hit) : hit;
    it->realized += w.value("realized_windows", size_t{1});
  }
  return kinds;
}

}  // namespace iocsim::report
