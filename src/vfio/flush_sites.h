// SPDX-License-Identifier: GPL-2.0-only
// Where the kernel may flush CPU caches for non-coherent DMA, declared once.
//
// A flush point is a place in the port's control flow (Yan Zhao's May 2024
// series, docs/kernel-behaviour.md section "The 2024 series"); a site is what
// reports, ledgers and `state` expectations count flushes by. Every list of
// points or sites (policies, report fields, expectation keys) derives from
// these tables: a new flush point is one entry here, its call in the port,
// and what each policy does there (flush_policy.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iocsim::vfio {

enum class FlushSite : uint8_t { map, unpin, replay, fgsp };

struct FlushSiteInfo {
  FlushSite site;
  std::string_view name;  // report field and expectation key
};

inline constexpr FlushSiteInfo kFlushSites[] = {
    {FlushSite::map, "map"},
    {FlushSite::unpin, "unpin"},
    {FlushSite::replay, "replay"},
    {FlushSite::fgsp, "fgsp"},
};
inline constexpr size_t kFlushSiteCount = std::size(kFlushSites);

inline constexpr std::string_view to_string(FlushSite site) {
  return kFlushSites[static_cast<size_t>(site)].name;
}
inline std::vector<std::string> flush_site_names() {
  std::vector<std::string> names;
  for (const FlushSiteInfo& s : kFlushSites) names.emplace_back(s.name);
  return names;
}

enum class FlushPoint : uint8_t { map, unpin, replay, fgsp_before, fgsp_after, leave };

struct FlushPointInfo {
  FlushPoint point;
  std::string_view name;
  FlushSite site;            // what the ledger counts its flushes as
  std::string_view meaning;  // where the port reaches it
};

inline constexpr FlushPointInfo kFlushPoints[] = {
    {FlushPoint::map, "map", FlushSite::map, "P2: each pinned chunk, before it is mapped"},
    {FlushPoint::unpin, "unpin", FlushSite::unpin,
     "U1: lazily, right before unpin, if the dma is marked"},
    {FlushPoint::replay, "replay", FlushSite::replay,
     "R2: each run replayed into a new non-coherent domain"},
    {FlushPoint::fgsp_before, "fgsp_before", FlushSite::fgsp,
     "G1: the fgsp probe pages, before the probe maps them"},
    {FlushPoint::fgsp_after, "fgsp_after", FlushSite::fgsp,
     "G2: the fgsp probe pages, before they are freed"},
    {FlushPoint::leave, "leave", FlushSite::unpin,
     "eager-unmap: every marked dma, when the last non-coherent domain goes while coherent "
     "ones remain"},
};
inline constexpr size_t kFlushPointCount = std::size(kFlushPoints);

// Both tables are indexed by their enum.
inline constexpr bool tables_in_enum_order() {
  for (size_t i = 0; i < kFlushSiteCount; ++i)
    if (static_cast<size_t>(kFlushSites[i].site) != i) return false;
  for (size_t i = 0; i < kFlushPointCount; ++i)
    if (static_cast<size_t>(kFlushPoints[i].point) != i) return false;
  return true;
}
static_assert(tables_in_enum_order(), "kFlushSites and kFlushPoints follow their enums");

inline constexpr FlushSite site_of(FlushPoint point) {
  return kFlushPoints[static_cast<size_t>(point)].site;
}

}  // namespace iocsim::vfio
