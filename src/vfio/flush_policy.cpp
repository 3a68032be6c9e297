// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/flush_policy.h"

namespace iocsim::vfio {

const char* to_string(FlushSite site) {
  switch (site) {
    case FlushSite::map: return "map";
    case FlushSite::unpin: return "unpin";
    case FlushSite::replay: return "replay";
    case FlushSite::fgsp: return "fgsp";
  }
  return "?";
}

FlushSite site_of(FlushPoint point) {
  switch (point) {
    case FlushPoint::map: return FlushSite::map;
    case FlushPoint::unpin: return FlushSite::unpin;
    case FlushPoint::replay: return FlushSite::replay;
    case FlushPoint::fgsp_before:
    case FlushPoint::fgsp_after: return FlushSite::fgsp;
  }
  return FlushSite::map;
}

bool FlushPolicy::at(FlushPoint point) const {
  switch (point) {
    case FlushPoint::map: return map;
    case FlushPoint::unpin: return unpin;
    case FlushPoint::replay: return replay;
    case FlushPoint::fgsp_before: return fgsp_before;
    case FlushPoint::fgsp_after: return fgsp_after;
  }
  return false;
}

const std::vector<FlushPolicy>& all_policies() {
  static const std::vector<FlushPolicy> kPolicies = [] {
    std::vector<FlushPolicy> p;
    FlushPolicy none;
    none.name = "none";
    none.summary = "upstream: no flush (the 2024 series was never merged)";
    p.push_back(none);

    FlushPolicy posted;
    posted.name = "posted-v1";
    posted.summary =
        "the series as posted in May 2024: flush before map, on replay, lazily before unpin, "
        "and around the fgsp probe";
    posted.map = posted.unpin = posted.replay = true;
    posted.fgsp_before = posted.fgsp_after = true;
    p.push_back(posted);
    return p;
  }();
  return kPolicies;
}

const FlushPolicy* find_policy(std::string_view name) {
  for (const auto& p : all_policies())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : all_policies()) names.emplace_back(p.name);
  return names;
}

}  // namespace iocsim::vfio
