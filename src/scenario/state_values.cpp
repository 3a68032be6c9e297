// SPDX-License-Identifier: GPL-2.0-only
// The kernel state a step's expectations read, and that a `state` step
// reports in full: one list of named numbers, so that what a user may expect
// and what the report shows are the same thing.
#include "scenario/run_state.h"
#include "vfio/flush_sites.h"

namespace iocsim::scenario::detail {

std::vector<std::pair<std::string, uint64_t>> Run::state_values(const Step& step) const {
  const std::optional<int> fd = container_of(step);
  const vfio::IommuData* view = fd ? vfio->container(*fd) : nullptr;
  // locked_vm is that of the step's principal `as`, or of the container's owner.
  size_t who = 0;
  for (const auto& [name, named] : containers)
    if (fd && named.fd == *fd) who = named.owner;
  if (auto as = step.principal()) who = *as;

  // flush and iommu_calls count from the previous `state` of the container.
  const Baseline now = state_counts(step);
  const auto known = fd ? baseline.find(*fd) : baseline.end();
  const Baseline before = known != baseline.end() ? known->second : Baseline{};

  std::vector<std::pair<std::string, uint64_t>> values{
      {"locked_vm", host->process(s.principals[who].id)->charged_locked_vm()},
      {"domains", view ? view->domains().size() : 0},
      {"noncoherent_domains", view ? view->noncoherent_domains() : 0},
      {"pinned_pages", view ? view->pinned_pages() : 0},
      {"vaddr_invalid", view ? view->vaddr_invalid_count() : 0},
      {"iommu_calls.map", now.iommu.map - before.iommu.map},
      {"iommu_calls.unmap", now.iommu.unmap - before.iommu.unmap},
  };
  for (const vfio::FlushSiteInfo& site : vfio::kFlushSites) {
    const size_t i = static_cast<size_t>(site.site);
    values.emplace_back("flush." + std::string(site.name), now.flush[i].bytes - before.flush[i].bytes);
  }
  return values;
}

Run::Baseline Run::state_counts(const Step& step) const {
  const std::optional<int> fd = container_of(step);
  const vfio::IommuData* view = fd ? vfio->container(*fd) : nullptr;
  if (!view) return {};
  return {ledger.container(*fd), view->iommu_calls()};
}

void Run::restart_state_counts(const Step& step) {
  if (const std::optional<int> fd = container_of(step)) baseline[*fd] = state_counts(step);
}

std::vector<std::pair<uint64_t, uint64_t>> Run::state_dmas(const Step& step) const {
  std::vector<std::pair<uint64_t, uint64_t>> dmas;
  const std::optional<int> fd = container_of(step);
  if (const vfio::IommuData* view = fd ? vfio->container(*fd) : nullptr)
    for (const vfio::MappingState& m : view->mappings()) dmas.emplace_back(m.iova, m.size);
  return dmas;
}

}  // namespace iocsim::scenario::detail
