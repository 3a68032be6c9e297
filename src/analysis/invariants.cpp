// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/invariants.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace iocsim::analysis {

std::vector<Invariant> kernel_invariants(const std::vector<const vfio::IommuData*>& containers,
                                         const host::Host& host,
                                         const std::vector<vfio::DomainHandle>& hardware_domains) {
  std::vector<Invariant> out;

  // Every pin is held by a live container: released ones hold none.
  uint64_t container_pins = 0;
  for (const auto* c : containers)
    if (!c->released()) container_pins += c->pinned_pages();
  {
    Invariant inv{"every pinned page belongs to a live container", true, ""};
    if (host.total_pins() != container_pins) {
      inv.held = false;
      inv.detail = fmt::format("{} pins in the host, {} held by live containers",
                               host.total_pins(), container_pins);
    }
    out.push_back(inv);
  }

  // Nothing was unpinned more often than it was pinned.
  {
    Invariant inv{"no page was unpinned more often than it was pinned", true, ""};
    if (const auto& under = host.pin_underflows(); !under.empty()) {
      inv.held = false;
      inv.detail = fmt::format("{} unpins of frames holding no pin, the first of frame {}",
                               under.size(), under.front());
    }
    out.push_back(inv);
  }

  // locked_vm of every principal (mm's and user's: charged_locked_vm) is what
  // its live mappings charge (it starts at 0).
  {
    std::map<const host::Process*, uint64_t> charged;
    for (const auto* c : containers) {
      if (c->released()) continue;
      for (const vfio::MappingState& m : c->mappings()) charged[m.mm] += m.locked_vm;
    }
    Invariant inv{"locked_vm equals what live mappings charge", true, ""};
    for (const auto& p : host.processes()) {
      const uint64_t expected = charged.count(&p) ? charged[&p] : 0;
      if (p.charged_locked_vm() != expected) {
        inv.held = false;
        inv.detail += fmt::format("{}: locked_vm {} pages, mappings charge {}; ", p.name(),
                                  p.charged_locked_vm(), expected);
      }
    }
    out.push_back(inv);
  }

  // No IOMMU domain outlives the container that allocated it.
  {
    std::vector<vfio::DomainHandle> live;
    for (const auto* c : containers)
      for (vfio::DomainHandle d : c->domains()) live.push_back(d);
    Invariant inv{"every IOMMU domain belongs to a live container", true, ""};
    for (vfio::DomainHandle d : hardware_domains) {
      if (std::find(live.begin(), live.end(), d) == live.end()) {
        inv.held = false;
        inv.detail += fmt::format("domain {} has no container; ", d);
      }
    }
    out.push_back(inv);
  }

  // The series' non-coherent tracking agrees with the domain list.
  {
    Invariant inv{"non-coherent domain tracking matches the domain list", true, ""};
    for (const auto* c : containers) {
      if (c->released()) continue;
      if (c->has_noncoherent_domain() != (c->noncoherent_domains() != 0)) {
        inv.held = false;
        inv.detail = fmt::format("tracked {}, domain list has {} non-coherent",
                                 c->has_noncoherent_domain(), c->noncoherent_domains());
      }
    }
    out.push_back(inv);
  }
  return out;
}

std::vector<Invariant> model_invariants(const Oracle& oracle) {
  Invariant inv{"every realized stale device read lies in a potential window", true, ""};
  if (oracle.realized_outside_windows()) {
    inv.held = false;
    inv.detail = fmt::format("{} reads outside any window", oracle.realized_outside_windows());
  }
  return {inv};
}

}  // namespace iocsim::analysis
