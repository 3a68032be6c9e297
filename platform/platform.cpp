// SPDX-License-Identifier: GPL-2.0-only
#include "platform/platform.h"

#include <stdexcept>

#include <tlm_utils/tlm_quantumkeeper.h>

#include "platform/topology.h"

namespace iocsim::platform {

Platform::Platform(const PlatformSpec& spec, models::CoherenceObserver& observer)
    : spec_(spec) {
  // The loader only builds valid platforms; a problem here is iocsim's bug.
  const auto problems = Topology(spec_).problems();
  if (!problems.empty()) throw std::logic_error("invalid platform: " + problems.front());
  const params::Set& p = spec_.params;
  tlm_utils::tlm_quantumkeeper::set_global_quantum(models::from_picos(p.picos("sim.quantum")));

  memory_ = std::make_unique<models::MemoryController>("memory", models::MemoryConfig::from(p),
                                                       &observer);
  cache_ = std::make_unique<models::Cache>("llc", models::CacheConfig::from(p), &observer);
  const models::CpuConfig cpu = models::CpuConfig::from(p);
  for (uint64_t i = 0; i < p.count("cpu.cores"); ++i) {
    auto core = std::make_unique<models::CpuAgent>(("cpu" + std::to_string(i)).c_str(), cpu,
                                                   versions_);
    core->socket.bind(cache_->cpu_side);
    core->set_residency(cache_.get());
    cores_.add(std::move(core));
  }
  cache_->mem_side.bind(memory_->socket);

  const uint64_t pool = p.size("iommu.pt_pool"), pool_end = p.size("host.reserved_below");
  tables_ = std::make_unique<models::TablePlacement>(pool_end - pool, pool);
  const models::IotlbConfig iotlb = models::IotlbConfig::from(p);
  const models::InvalidationConfig invalidation = models::InvalidationConfig::from(p);
  std::map<std::string, models::IommuUnit*> by_name;
  for (const UnitSpec& u : spec_.iommus) {
    models::IommuUnitConfig config = u.config;
    config.iotlb = iotlb;
    config.invalidation = invalidation;
    auto unit = std::make_unique<models::IommuUnit>(u.name.c_str(), config, domain_ids_,
                                                    *tables_, &observer);
    unit->coherent_side.bind(cache_->snoop_side);
    unit->direct_side.bind(memory_->socket);
    by_name[u.name] = unit.get();
    units_.push_back(std::move(unit));
  }

  kernel_iommu_ = std::make_unique<KernelIommu>(
      cores_, KernelIommuCosts{p.picos("sw.iommu_map"), p.picos("sw.iommu_unmap"),
                              p.picos("sw.iotlb_sync")});
  const models::DmaConfig dma_config = models::DmaConfig::from(p);
  for (const DeviceSpec& d : spec_.devices) {
    auto unit = by_name.find(d.iommu);
    if (unit == by_name.end())
      throw std::logic_error("device " + d.name + " names no IOMMU unit of the platform");
    auto dma = std::make_unique<models::DmaMaster>(d.name.c_str(), d.stream_id, d.owner,
                                                   d.honours_nosnoop_enable, dma_config,
                                                   versions_, &observer);
    dma->socket.bind(unit->second->device_side);
    kernel_iommu_->add_device(d.group, {d.stream_id, unit->second}, d.reserved);
    functions_[d.name] = std::make_unique<DeviceFunction>(*dma, cores_);
    dmas_[d.name] = std::move(dma);
  }

  cpu_port_ = std::make_unique<HostCpu>(cores_);
  arch_flush_ = std::make_unique<FlushHelper>(cores_, p.size("memory.size"),
                                              p.picos("sw.kmap_page"));
}

Platform::~Platform() = default;

void Platform::settle(Picos now) {
  for (auto& unit : units_) unit->settle(now);
}

models::DmaMaster& Platform::dma(const std::string& device) {
  auto it = dmas_.find(device);
  if (it == dmas_.end()) throw std::logic_error("no device " + device);
  return *it->second;
}

vfio::PciFunction& Platform::pci_function(const std::string& device) {
  auto it = functions_.find(device);
  if (it == functions_.end()) throw std::logic_error("no device " + device);
  return *it->second;
}

std::vector<vfio::DomainHandle> Platform::hardware_domains() const {
  return kernel_iommu_->live_domains();
}

std::string Platform::domain_unit(vfio::DomainHandle domain) const {
  return kernel_iommu_->unit(domain).basename();
}

std::map<vfio::DomainHandle, analysis::Digest> Platform::translation_digests() const {
  std::map<vfio::DomainHandle, analysis::Digest> out;
  for (vfio::DomainHandle d : kernel_iommu_->live_domains()) {
    analysis::Digest& digest = out[d];
    for (const auto& [iova, pte] : kernel_iommu_->unit(d).page_table(d).entries())
      digest.add(pte.iova, pte.pa, pte.size, (pte.read ? 1 : 0) | (pte.write ? 2 : 0));
  }
  return out;
}

std::vector<StatGroup> Platform::stats() const {
  std::vector<StatGroup> out;
  const auto& c = cache_->stats();
  out.push_back({"cache",
                 {{"load_hits", c.load_hits},
                  {"load_misses", c.load_misses},
                  {"store_hits", c.store_hits},
                  {"store_misses", c.store_misses},
                  {"evictions", c.evictions},
                  {"writebacks", c.writebacks},
                  {"snoop_hits", c.snoop_hits},
                  {"snoop_misses", c.snoop_misses},
                  {"snoop_invalidations", c.snoop_invalidations},
                  {"maintenance_ops", c.maintenance_ops},
                  {"wbinvds", c.wbinvds},
                  {"l1d.load_hits", c.l1d.load_hits},
                  {"l1d.load_misses", c.l1d.load_misses},
                  {"l2.load_hits", c.l2.load_hits},
                  {"l2.load_misses", c.l2.load_misses},
                  {"core_snoops", c.core_snoops},
                  {"core_invalidations", c.core_invalidations},
                  {"back_invalidations", c.back_invalidations},
                  {"ddio_updates", c.ddio_updates},
                  {"ddio_allocations", c.ddio_allocations}}});
  const auto& m = memory_->stats();
  const auto& banks = memory_->dram_stats();
  out.push_back({"dram",
                 {{"line_reads", m.reads},
                  {"line_writes", m.writes},
                  {"bus_busy_ps", banks.bus_busy},
                  {"row_hits", banks.row_hits},
                  {"row_misses", banks.row_misses},
                  {"row_conflicts", banks.row_conflicts},
                  {"pages_touched", memory_->store().pages_touched()}}});
  StatGroup iommu{"iommu", {}};
  for (const auto& u : units_) {
    const auto& s = u->stats();
    const std::string n = u->basename();
    iommu.counters.insert(iommu.counters.end(),
                          {{n + ".requests", s.requests},
                           {n + ".lines_snooped", s.lines_snooped},
                           {n + ".lines_direct", s.lines_direct},
                           {n + ".faults", s.faults},
                           {n + ".pages_mapped", s.pages_mapped},
                           {n + ".pages_unmapped", s.pages_unmapped},
                           {n + ".iotlb_syncs", s.iotlb_syncs},
                           {n + ".iotlb_hits", u->iotlb_stats().hits},
                           {n + ".iotlb_misses", u->iotlb_stats().misses},
                           {n + ".iotlb_evictions", u->iotlb_stats().evictions},
                           {n + ".iotlb_invalidated", u->iotlb_stats().invalidated},
                           {n + ".walks", s.walks},
                           {n + ".walk_reads", s.walk_reads},
                           {n + ".walk_cache_hits", u->walk_cache_stats().hits},
                           {n + ".walk_cache_misses", u->walk_cache_stats().misses},
                           {n + ".stale_translation_lines", s.stale_translations},
                           {n + ".fq_flushes", s.fq_flushes},
                           {n + ".fq_timeouts", s.fq_timeouts}});
  }
  iommu.counters.push_back({"pt_pages", tables_->table_pages()});
  iommu.counters.push_back({"pt_pages_aliased", tables_->aliased()});
  out.push_back(iommu);
  StatGroup dma{"dma", {}};
  for (const auto& [name, d] : dmas_) {
    const auto& s = d->stats();
    dma.counters.insert(dma.counters.end(), {{name + ".requests", s.requests},
                                             {name + ".lines_read", s.lines_read},
                                             {name + ".lines_written", s.lines_written},
                                             {name + ".faults", s.faults}});
  }
  out.push_back(dma);
  return out;
}

}  // namespace iocsim::platform
