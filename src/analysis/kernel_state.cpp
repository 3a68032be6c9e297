// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/kernel_state.h"

#include <fmt/format.h>

namespace iocsim::analysis {

KernelState capture(const std::map<std::string, const vfio::IommuData*>& containers,
                    const host::Host& host,
                    const std::map<vfio::DomainHandle, SetDigest>& translations) {
  KernelState s;
  s.pins = host.pin_digest();
  for (const auto& p : host.processes()) s.locked_vm[p.name()] = p.charged_locked_vm();
  for (const auto& [name, c] : containers) {
    KernelState::Container& out = s.containers[name];
    out.dma_avail = c->dma_avail();
    out.mappings = c->mappings_digest();
    out.domains = c->domains();
    out.windows = c->iova_windows();
  }
  s.translations = translations;
  return s;
}

std::vector<std::string> differences(const KernelState& a, const KernelState& b) {
  std::vector<std::string> out;
  if (!(a.pins == b.pins))
    out.push_back(fmt::format("pinned pages: {} -> {}{}", a.pins.count, b.pins.count,
                              a.pins.count == b.pins.count ? " (different pages)" : ""));
  for (const auto& [name, before] : a.locked_vm) {
    auto after = b.locked_vm.find(name);
    if (after != b.locked_vm.end() && after->second != before)
      out.push_back(fmt::format("locked_vm of {}: {} -> {}", name, before, after->second));
  }
  for (const auto& [name, before] : a.containers) {
    auto it = b.containers.find(name);
    if (it == b.containers.end()) {
      out.push_back(fmt::format("container {} disappeared", name));
      continue;
    }
    const KernelState::Container& after = it->second;
    if (before.dma_avail != after.dma_avail)
      out.push_back(fmt::format("dma_avail of {}: {} -> {}", name, before.dma_avail,
                                after.dma_avail));
    if (!(before.mappings == after.mappings))
      out.push_back(fmt::format("mappings of {}: {} -> {} entries or their fields", name,
                                before.mappings.count, after.mappings.count));
    if (before.domains != after.domains)
      out.push_back(fmt::format("domains of {}: {} -> {}", name, before.domains.size(),
                                after.domains.size()));
    if (before.windows != after.windows) out.push_back(fmt::format("IOVA windows of {}", name));
  }
  for (const auto& [name, after] : b.containers)
    if (!a.containers.count(name)) out.push_back(fmt::format("container {} appeared", name));
  if (a.translations.size() != b.translations.size())
    out.push_back(fmt::format("IOMMU domains: {} -> {}", a.translations.size(),
                              b.translations.size()));
  for (const auto& [domain, before] : a.translations) {
    auto it = b.translations.find(domain);
    if (it != b.translations.end() && !(it->second == before))
      out.push_back(fmt::format("translations of domain {}: {} -> {} pages or their targets",
                                domain, before.count, it->second.count));
  }
  return out;
}

}  // namespace iocsim::analysis
