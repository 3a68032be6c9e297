// SPDX-License-Identifier: GPL-2.0-only
#include "platform/platform.h"

#include <functional>
#include <stdexcept>

#include <fmt/format.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "base/units.h"

namespace iocsim::platform {

namespace {

std::string pgsizes(uint64_t bitmap) {
  std::vector<std::string> sizes;
  for (unsigned bit = 0; bit < 64; ++bit)
    if (bitmap & (uint64_t{1} << bit)) sizes.push_back(units::format_size(uint64_t{1} << bit));
  return fmt::format("{}", fmt::join(sizes, "|"));
}

}  // namespace

// Every model is added to the topology as it is made, and every socket is
// bound through it, so the graph is the wiring itself.
Platform::Platform(const PlatformSpec& spec, models::CoherenceObserver& observer)
    : spec_(spec) {
  const params::Set& p = spec_.params;
  tlm_utils::tlm_quantumkeeper::set_global_quantum(models::from_picos(p.picos("sim.quantum")));
  // What the targets add to an idle 64-byte read.
  const Picos dram = p.picos("memory.tRCD") + p.picos("memory.tCL") + p.picos("memory.burst");
  const Picos llc_lookup = p.picos("llc.hit_latency");
  Picos core_lookup = llc_lookup;

  memory_ = std::make_unique<models::MemoryController>("memory", models::MemoryConfig::from(p),
                                                       &observer);
  topology_.add(*memory_, ComponentKind::memory,
                fmt::format("{}, {} channels x {} banks, {} rows",
                            units::format_size(p.size("memory.size")), p.count("memory.channels"),
                            p.count("memory.bank_groups") * p.count("memory.banks_per_group"),
                            units::format_size(p.size("memory.row_size"))));
  cache_ = std::make_unique<models::Cache>("llc", models::CacheConfig::from(p), &observer);
  std::string levels;
  for (const char* level : {"l1d", "l2"}) {
    const std::string name = level;
    if (p.size(name + ".size") == 0) continue;
    levels += fmt::format("{}{} {} {}-way", levels.empty() ? "" : ", ", name,
                          units::format_size(p.size(name + ".size")), p.count(name + ".ways"));
    core_lookup += p.picos(name + ".hit_latency");
  }
  topology_.add(*cache_, ComponentKind::cache,
                fmt::format("{}, {} ways, LRU, write-back, {}; per core: {}",
                            units::format_size(p.size("llc.size")), p.count("llc.ways"),
                            p.flag("llc.inclusive") ? "inclusive" : "non-inclusive",
                            levels.empty() ? "no private levels" : levels));
  const models::CpuConfig cpu = models::CpuConfig::from(p);
  for (uint64_t i = 0; i < p.count("cpu.cores"); ++i) {
    auto core = std::make_unique<models::CpuAgent>(("cpu" + std::to_string(i)).c_str(), cpu,
                                                   versions_);
    topology_.add(*core, ComponentKind::cpu,
                  fmt::format("{} MHz, flushes with {}", p.frequency("cpu.freq") / 1'000'000,
                              p.text("cpu.flush")));
    topology_.bind(core->socket, cache_->cpu_side, "loads, stores, cache maintenance",
                   core_lookup);
    core->set_residency(cache_.get());
    cores_.add(std::move(core));
  }
  topology_.bind(cache_->mem_side, memory_->socket, "fills, write-backs", dram);

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
    topology_.add(*unit, ComponentKind::iommu,
                  fmt::format("{}, {}, pages {}, {}-level tables, {} walks", config.driver,
                              config.snoop_control ? "snoop control" : "no snoop control",
                              pgsizes(config.pgsize_bitmap), config.levels,
                              config.coherent_walk ? "coherent" : "non-coherent"));
    topology_.bind(unit->coherent_side, cache_->snoop_side, "snooped DMA", llc_lookup);
    topology_.bind(unit->direct_side, memory_->socket, "No-Snoop DMA", dram);
    by_name[u.name] = unit.get();
    units_.push_back(std::move(unit));
  }

  kernel_iommu_ = std::make_unique<KernelIommu>(
      cores_, KernelIommuCosts{p.picos("sw.iommu_map"), p.picos("sw.iommu_unmap"),
                              p.picos("sw.iotlb_sync"), p.picos("sw.iova_to_phys")});
  for (const DeviceSpec& d : spec_.devices) {
    params::Set device_params = p;
    for (const auto& [name, text] : d.params)
      if (auto error = device_params.set(name, text))  // the loader checked them
        throw std::logic_error("device " + d.name + ": " + *error);
    const models::DmaConfig dma_config = models::DmaConfig::from(device_params);
    auto unit = by_name.find(d.iommu);
    if (unit == by_name.end())
      throw std::logic_error("device " + d.name + " names no IOMMU unit of the platform");
    auto dma = std::make_unique<models::DmaMaster>(d.name.c_str(), d.stream_id, d.owner,
                                                   d.honours_nosnoop_enable, dma_config,
                                                   versions_, &observer);
    topology_.add(*dma, ComponentKind::device,
                  fmt::format("stream {}, group {}", d.stream_id, d.group));
    topology_.bind(dma->socket, unit->second->device_side, "DMA requests over PCIe",
                   dma->link().idle_read_time(kLineBytes));
    kernel_iommu_->add_device(d.group, {d.stream_id, unit->second}, d.reserved);
    functions_[d.name] = std::make_unique<DeviceFunction>(*dma, cores_);
    dmas_[d.name] = std::move(dma);
  }
  // The loader only builds valid platforms; a problem here is iocsim's bug.
  if (const auto problems = topology_.problems(); !problems.empty())
    throw std::logic_error("invalid platform: " + problems.front());

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

std::map<vfio::DomainHandle, SetDigest> Platform::translation_digests() const {
  std::map<vfio::DomainHandle, SetDigest> out;
  for (vfio::DomainHandle d : kernel_iommu_->live_domains())
    out[d] = kernel_iommu_->unit(d).page_table(d).digest();
  return out;
}

// Every model of the simulation that keeps statistics, found in the SystemC
// object hierarchy, and the page-table pool the units share. The section of
// every kind of model a platform is built of is there, if empty.
std::vector<stats::Section> Platform::stats() const {
  std::vector<const stats::Provider*> providers;
  std::function<void(const std::vector<sc_core::sc_object*>&)> visit =
      [&](const std::vector<sc_core::sc_object*>& objects) {
        for (const sc_core::sc_object* object : objects) {
          if (auto* p = dynamic_cast<const stats::Provider*>(object)) providers.push_back(p);
          visit(object->get_child_objects());
        }
      };
  visit(sc_core::sc_get_top_level_objects());
  providers.push_back(tables_.get());
  return stats::sections(providers, {models::Cache::kStatsSection, models::MemoryController::kStatsSection,
                                     models::IommuUnit::kStatsSection, models::DmaMaster::kStatsSection});
}

}  // namespace iocsim::platform
