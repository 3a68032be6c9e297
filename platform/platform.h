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

#include "base/set_digest.h"
#include "models/cache/cache.h"
#include "models/cpu/cpu_agent.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"
#include "platform/device_function.h"
#include "platform/flush_helper.h"
#include "platform/catalog.h"
#include "platform/host_cpu.h"
#include "platform/kernel_iommu.h"
#include "platform/platform_spec.h"
#include "platform/preset.h"
#include "platform/topology.h"
#include "models/common/line_token.h"

namespace iocsim::platform {

class Platform {
 public:
  // Every model shows what it does to `observer`.
  Platform(const PlatformSpec& spec, models::CoherenceObserver& observer);
  ~Platform();

  host::CpuPort& cpu_port() { return *cpu_port_; }
  vfio::IommuCore& iommu_core() { return *kernel_iommu_; }
  vfio::ArchFlush& arch_flush() { return *arch_flush_; }
  // The core that runs the current step; core 0 unless a step names another.
  models::CpuAgent& cpu() { return cores_.active(); }
  void activate_core(uint64_t index) { cores_.activate(index); }
  const models::Cache& cache() const { return *cache_; }
  models::DmaMaster& dma(const std::string& device);
  // The device's function as vfio-pci drives it.
  vfio::PciFunction& pci_function(const std::string& device);

  const PlatformSpec& spec() const { return spec_; }
  // The models and how they are bound.
  const Topology& topology() const { return topology_; }
  std::vector<vfio::DomainHandle> hardware_domains() const;
  // The name of the IOMMU unit a live domain lives in.
  std::string domain_unit(vfio::DomainHandle domain) const;
  // Every live domain's translations, summarised.
  std::map<vfio::DomainHandle, SetDigest> translation_digests() const;
  std::vector<stats::Section> stats() const;
  // Lets what was waiting for time to pass (deferred IOTLB invalidation)
  // happen, up to `now`: call at the end of a run, before reading the oracle.
  void settle(Picos now);

 private:
  PlatformSpec spec_;
  Topology topology_;
  models::VersionClock versions_;
  models::DomainIds domain_ids_;
  std::unique_ptr<models::MemoryController> memory_;
  std::unique_ptr<models::Cache> cache_;
  Cores cores_;
  std::unique_ptr<models::TablePlacement> tables_;
  std::vector<std::unique_ptr<models::IommuUnit>> units_;
  std::map<std::string, std::unique_ptr<models::DmaMaster>> dmas_;
  std::map<std::string, std::unique_ptr<DeviceFunction>> functions_;
  std::unique_ptr<HostCpu> cpu_port_;
  std::unique_ptr<KernelIommu> kernel_iommu_;
  std::unique_ptr<FlushHelper> arch_flush_;
};

}  // namespace iocsim::platform
