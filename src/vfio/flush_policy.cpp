// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/flush_policy.h"

namespace iocsim::vfio {

FlushPolicy& FlushPolicy::flush_at(std::initializer_list<FlushPoint> list) {
  for (FlushPoint p : list) points[static_cast<size_t>(p)] = true;
  return *this;
}

const std::vector<FlushPolicy>& all_policies() {
  static const std::vector<FlushPolicy> kPolicies = [] {
    std::vector<FlushPolicy> p;
    FlushPolicy none;
    none.name = "none";
    none.summary = "upstream: no flush (the 2024 series was never merged)";
    p.push_back(none);

    // Yan Zhao's v1, 7 May 2024 (docs/kernel-behaviour.md 11.3): P2, U1, R2, G1, G2.
    FlushPolicy posted;
    posted.name = "posted-v1";
    posted.summary =
        "the series as posted in May 2024: before map, on replay, lazily before unpin, and "
        "around the fgsp probe";
    posted.flush_at({FlushPoint::map, FlushPoint::unpin, FlushPoint::replay,
                     FlushPoint::fgsp_before, FlushPoint::fgsp_after});
    p.push_back(posted);

    // What the review converged on (11.4): same flush points, a counter kept
    // by link/unlink wrappers (decremented in release() too).
    FlushPolicy review = posted;
    review.name = "review-v2";
    review.summary = "the review's version: a non-coherent domain counter, same flush points";
    review.tracking = NoncoherentTracking::counter;
    p.push_back(review);

    // Flush only before a device can reach the pages (the position Alex
    // Williamson found easier to justify): P2, R2, G1.
    FlushPolicy map_only;
    map_only.name = "map-only";
    map_only.summary = "flush before map (and replay, and the probe), never at unpin";
    map_only.flush_at({FlushPoint::map, FlushPoint::replay, FlushPoint::fgsp_before});
    p.push_back(map_only);

    // Flush when a mapping stops being reachable by non-coherent DMA instead
    // of lazily at unpin.
    FlushPolicy eager = posted;
    eager.name = "eager-unmap";
    eager.summary = "flush when a mapping leaves the last non-coherent domain, not lazily at unpin";
    eager.flush_at({FlushPoint::leave});
    p.push_back(eager);

    // The same points, but each flush writes back and invalidates every cache.
    FlushPolicy wbinvd = posted;
    wbinvd.name = "wbinvd";
    wbinvd.summary = "wbinvd of the whole cache hierarchy at each flush point";
    wbinvd.method = FlushMethod::wbinvd;
    p.push_back(wbinvd);

    // Jason Gunthorpe's alternative (11.4): no flush; rely on the device
    // honouring a cleared No-Snoop enable.
    FlushPolicy nosnoop_off;
    nosnoop_off.name = "nosnoop-off";
    nosnoop_off.summary = "clear the devices' No-Snoop enable instead of flushing";
    nosnoop_off.clear_nosnoop_enable = true;
    p.push_back(nosnoop_off);
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
