// SPDX-License-Identifier: GPL-2.0-only
// What the kernel does about CPU caches for non-coherent IOMMU domains.
//
// A policy is a value: the port has named flush points (sites) and asks the
// policy what to do at each, instead of branching on policy names. The sites
// are those of Yan Zhao's May 2024 series (P2, U1, R2, G1, G2 in
// shared/reference/vfio-type1.md section 11.3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vfio/arch_flush.h"

namespace iocsim::vfio {

enum class FlushMethod : uint8_t {
  lines,   // the arch helper: clflushopt every line of each page, fenced
  wbinvd,  // write back and invalidate every cache of every CPU
};

// How the container knows whether a non-coherent domain exists.
enum class NoncoherentTracking : uint8_t {
  scan,     // posted v1: bool has_noncoherent_domain, recomputed by walking the domains
  counter,  // review v2: noncoherent_domains, kept by link/unlink wrappers
};

// The flush points of the series; the ledger reports them by site.
enum class FlushPoint : uint8_t {
  map,          // P2: each pinned chunk, before it is mapped
  unpin,        // U1: lazily, right before unpin, if the dma is marked
  replay,       // R2: each run replayed into a new non-coherent domain
  fgsp_before,  // G1: the fgsp probe pages, before the probe maps them
  fgsp_after,   // G2: the fgsp probe pages, before they are freed
  leave,        // eager-unmap: every marked dma, when the last non-coherent
                // domain goes while coherent ones remain (reported as unpin)
};

FlushSite site_of(FlushPoint point);

struct FlushPolicy {
  std::string_view name;
  std::string_view summary;
  bool map = false;
  bool unpin = false;
  bool replay = false;
  bool fgsp_before = false;
  bool fgsp_after = false;
  bool leave = false;
  FlushMethod method = FlushMethod::lines;
  NoncoherentTracking tracking = NoncoherentTracking::scan;
  // Instead of flushing, the VFIO device layer clears each assigned device's
  // PCIe No-Snoop enable (PCI_EXP_DEVCTL_NOSNOOP_EN); only devices that
  // honour the bit stop issuing No-Snoop requests.
  bool clear_nosnoop_enable = false;

  bool at(FlushPoint point) const;
};

// nullptr if unknown.
const FlushPolicy* find_policy(std::string_view name);
// Every policy, in the order `--policy all` runs them.
const std::vector<FlushPolicy>& all_policies();
std::vector<std::string> policy_names();

}  // namespace iocsim::vfio
