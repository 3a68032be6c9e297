// SPDX-License-Identifier: GPL-2.0-only
// Invariants checked at the end of every run. A broken one fails the run
// (exit 1) and the report names it.
#pragma once

#include <string>
#include <vector>

#include "analysis/oracle.h"
#include "host/host.h"
#include "vfio/iommu_driver.h"

namespace iocsim::analysis {

struct Invariant {
  std::string name;
  bool held = true;
  std::string detail;  // what was found when it did not hold
};

// Kernel level: pins, locked memory and domains agree with the containers.
// `containers` includes released ones; `hardware_domains` are the domains
// the IOMMU models still hold.
std::vector<Invariant> kernel_invariants(const std::vector<const vfio::IommuData*>& containers,
                                         const host::Host& host,
                                         const std::vector<vfio::DomainHandle>& hardware_domains);

// Model level: what the oracle saw is self-consistent.
std::vector<Invariant> model_invariants(const Oracle& oracle);

}  // namespace iocsim::analysis
