// SPDX-License-Identifier: GPL-2.0-only
// A simulated machine built from a preset and a scenario's devices:
//
//   CPU agents (one per core) -> cache hierarchy -> memory controller
//                                      ^                  ^
//   DMA master -> IOMMU unit ----------+------------------+
//                 (coherent requests through the hierarchy's snoop port,
//                  No-Snoop ones straight to memory)
//
// It also implements what the software layers need from the hardware: the
// host's CPU, the kernel's IOMMU core and the arch flush hook.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/flush_ledger.h"
#include "analysis/kernel_state.h"
#include "models/cache/cache.h"
#include "models/cpu/cpu_agent.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"
#include "platform/arch_flush.h"
#include "platform/catalog.h"
#include "platform/cpu_port.h"
#include "platform/kernel_iommu.h"
#include "platform/preset.h"
#include "models/common/line_token.h"

namespace iocsim::platform {

struct DeviceSpec {
  std::string name;
  uint32_t stream_id = 0;
  OwnerId owner = kNobody;
  vfio::GroupId group = 0;
  std::string iommu;                       // unit name
  std::vector<vfio::ResvRegion> reserved;  // the group's reserved regions
  bool honours_nosnoop_enable = true;
};

struct PlatformSpec {
  std::string preset;  // as named by the user
  params::Set params{catalog(), kClockParam};
  std::vector<UnitSpec> iommus;
  std::vector<DeviceSpec> devices;
};

struct StatGroup {
  std::string component;
  std::vector<std::pair<std::string, uint64_t>> counters;
};

class Platform {
 public:
  // Every model shows what it does to `observer`.
  Platform(const PlatformSpec& spec, models::CoherenceObserver& observer,
           analysis::FlushLedger& ledger);
  ~Platform();

  host::CpuPort& cpu_port() { return *cpu_port_; }
  vfio::IommuCore& iommu_core() { return *kernel_iommu_; }
  vfio::ArchFlush& arch_flush() { return *arch_flush_; }
  // The core that runs the current step; core 0 unless a step names another.
  models::CpuAgent& cpu() { return cores_.active(); }
  void activate_core(uint64_t index) { cores_.activate(index); }
  const models::Cache& cache() const { return *cache_; }
  models::DmaMaster& dma(const std::string& device);

  const PlatformSpec& spec() const { return spec_; }
  std::vector<vfio::DomainHandle> hardware_domains() const;
  // The name of the IOMMU unit a live domain lives in.
  std::string domain_unit(vfio::DomainHandle domain) const;
  // Every live domain's translations, summarised.
  std::map<vfio::DomainHandle, analysis::Digest> translation_digests() const;
  std::vector<StatGroup> stats() const;
  // Lets what was waiting for time to pass (deferred IOTLB invalidation)
  // happen, up to `now`: call at the end of a run, before reading the oracle.
  void settle(Picos now);

 private:
  PlatformSpec spec_;
  models::VersionClock versions_;
  models::DomainIds domain_ids_;
  std::unique_ptr<models::MemoryController> memory_;
  std::unique_ptr<models::Cache> cache_;
  Cores cores_;
  std::unique_ptr<models::TablePlacement> tables_;
  std::vector<std::unique_ptr<models::IommuUnit>> units_;
  std::map<std::string, std::unique_ptr<models::DmaMaster>> dmas_;
  std::unique_ptr<CpuPortImpl> cpu_port_;
  std::unique_ptr<KernelIommu> kernel_iommu_;
  std::unique_ptr<ArchFlushImpl> arch_flush_;
};

}  // namespace iocsim::platform
