// SPDX-License-Identifier: GPL-2.0-only
#include "platform/catalog.h"

#include "models/cache/cache.h"
#include "models/cpu/cpu_agent.h"
#include "models/dma/dma_master.h"
#include "models/memory/memory_controller.h"

namespace iocsim::platform {

const params::Catalog& catalog() {
  static const params::Catalog kCatalog = [] {
    using params::Spec;
    params::Catalog c;
    models::CpuConfig::declare(c);
    models::CacheConfig::declare(c);
    models::MemoryConfig::declare(c);
    models::DmaConfig::declare(c);
    c.declare(Spec::duration("sim.quantum",
                             "how far a thread may run ahead before synchronising (TLM quantum)",
                             1));
    c.declare(Spec::size("host.reserved_below",
                         "physical memory below this holds firmware and the kernel image; "
                         "the page allocator never hands it out"));
    c.declare(Spec::duration("sw.pin_page", "kernel CPU time to pin one user page (GUP)"));
    c.declare(Spec::duration("sw.iommu_map", "kernel CPU time of one iommu_map() call"));
    c.declare(Spec::duration("sw.iommu_unmap",
                             "kernel CPU time of one iommu_unmap() call, IOTLB flush included"));
    return c;
  }();
  return kCatalog;
}

}  // namespace iocsim::platform
