// SPDX-License-Identifier: GPL-2.0-only
#include "platform/catalog.h"

#include <fmt/format.h>

#include "base/units.h"

#include "models/cache/cache.h"
#include "models/cpu/cpu_agent.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
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
    models::IotlbConfig::declare(c);
    models::InvalidationConfig::declare(c);
    c.declare(Spec::size("iommu.pt_pool",
                         "kernel memory just below host.reserved_below that holds the I/O "
                         "page tables the walkers read",
                         kPageBytes));
    c.declare(Spec::duration("sim.quantum",
                             "how far a thread may run ahead before synchronising (TLM quantum)",
                             1));
    c.declare(Spec::size("host.reserved_below",
                         "physical memory below this holds firmware and the kernel image; "
                         "the page allocator never hands it out"));
    c.declare(Spec::duration("sw.pin_page", "kernel CPU time to pin one user page (GUP)"));
    c.declare(Spec::duration("sw.page_fault",
                             "CPU time to handle one anonymous page fault (a 4 KiB page or a "
                             "2 MiB folio), besides zeroing the memory"));
    c.declare(Spec::duration("sw.syscall",
                             "CPU time to enter and leave the kernel for one system call (open, "
                             "close or a VFIO ioctl), besides the work it does"));
    c.declare(Spec::duration("sw.kmap_page",
                             "kernel CPU time to map and unmap one page for the flush helper "
                             "(kmap_local_page / kunmap_local)"));
    c.declare(Spec::duration("sw.iommu_map", "kernel CPU time of one iommu_map() call"));
    c.declare(Spec::duration("sw.iommu_unmap",
                             "kernel CPU time of one iommu_unmap() call, without the IOTLB sync"));
    c.declare(Spec::duration("sw.iotlb_sync",
                             "kernel CPU time of one IOTLB sync: queue the invalidation and "
                             "wait for it"));
    return c;
  }();
  return kCatalog;
}

std::vector<std::string> inconsistencies(const params::Set& set) {
  std::vector<std::string> out;
  const uint64_t llc = set.size("llc.size"), ways = set.count("llc.ways");
  if (llc % (ways * kLineBytes) != 0)
    out.push_back(fmt::format("llc.size ({}) must be a whole number of 64-byte lines per way "
                              "(llc.ways is {})",
                              units::format_size(llc), ways));
  if (set.count("llc.ddio_ways") > ways)
    out.push_back(fmt::format("llc.ddio_ways ({}) cannot exceed llc.ways ({})",
                              set.count("llc.ddio_ways"), ways));
  const uint64_t memory = set.size("memory.size"), reserved = set.size("host.reserved_below");
  if (memory % kPageBytes != 0)
    out.push_back("memory.size must be a whole number of 4 KiB pages");
  if (reserved % kPageBytes != 0)
    out.push_back("host.reserved_below must be a whole number of 4 KiB pages");
  if (reserved >= memory)
    out.push_back(fmt::format("host.reserved_below ({}) must be below memory.size ({})",
                              units::format_size(reserved), units::format_size(memory)));
  const uint64_t pool = set.size("iommu.pt_pool");
  if (pool % kPageBytes != 0)
    out.push_back("iommu.pt_pool must be a whole number of 4 KiB pages");
  if (pool > reserved)
    out.push_back(fmt::format("iommu.pt_pool ({}) must fit below host.reserved_below ({})",
                              units::format_size(pool), units::format_size(reserved)));
  const uint64_t entries = set.count("iommu.iotlb.entries"), tlb_ways = set.count("iommu.iotlb.ways");
  if (tlb_ways != 0 && entries % tlb_ways != 0)
    out.push_back(fmt::format("iommu.iotlb.entries ({}) must be a multiple of iommu.iotlb.ways ({})",
                              entries, tlb_ways));
  const Isa isa = *isa_named(set.choice("cpu.isa"));
  if (info(*cache_op_named(set.choice("cpu.flush"))).isa != isa) {
    std::vector<std::string> per_isa;
    for (size_t i = 0; i < std::size(kIsaNames); ++i)
      per_isa.push_back(fmt::format("{}: {}", kIsaNames[i],
                                    fmt::join(kernel_flush_names(static_cast<Isa>(i)), " or ")));
    out.push_back(fmt::format("cpu.flush {} does not exist on cpu.isa {} ({})",
                              set.choice("cpu.flush"), set.choice("cpu.isa"),
                              fmt::join(per_isa, "; ")));
  }
  if (set.size("dma.request_size") % kLineBytes != 0)
    out.push_back("dma.request_size must be a multiple of 64 bytes");
  // Every device request, even one the IOMMU rejects, must take time, or a
  // background actor probing unmapped IOVAs would never let time pass.
  if (set.picos("dma.link_line_time") == 0) out.push_back("dma.link_line_time must be above 0");
  return out;
}

}  // namespace iocsim::platform
