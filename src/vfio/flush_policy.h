// SPDX-License-Identifier: GPL-2.0-only
// What the kernel does about CPU caches for non-coherent IOMMU domains.
//
// A policy is a value: the port has named flush points (flush_sites.h) and
// asks the policy what to do at each, instead of branching on policy names.
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "vfio/flush_sites.h"

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

struct FlushPolicy {
  std::string_view name;
  std::string_view summary;
  std::array<bool, kFlushPointCount> points{};  // flush at kFlushPoints[i]?
  FlushMethod method = FlushMethod::lines;
  NoncoherentTracking tracking = NoncoherentTracking::scan;
  // Instead of flushing, vfio-pci clears each assigned device's PCIe
  // No-Snoop enable (PCI_EXP_DEVCTL_NOSNOOP_EN) when it enables the device;
  // only devices that honour the bit stop issuing No-Snoop requests.
  bool clear_nosnoop_enable = false;

  bool at(FlushPoint point) const { return points[static_cast<size_t>(point)]; }
  FlushPolicy& flush_at(std::initializer_list<FlushPoint> list);
};

// nullptr if unknown.
const FlushPolicy* find_policy(std::string_view name);
// Every policy, in the order `--policy all` runs them.
const std::vector<FlushPolicy>& all_policies();
std::vector<std::string> policy_names();

}  // namespace iocsim::vfio
