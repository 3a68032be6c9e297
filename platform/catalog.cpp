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
                         kPageBytes)
                  .by_default("8MiB",
                              "2048 table pages: the leaf tables of 4 GiB of 4 KiB mappings "
                              "(one 4 KiB table maps 2 MiB) and their upper levels, in half of "
                              "the reserved 16 MiB; a platform that needs more shares pages "
                              "(counted in iommu.pt_pages_aliased), which moves only where "
                              "walks read"));
    c.declare(Spec::duration("sim.quantum",
                             "how far a thread may run ahead before synchronising (TLM quantum)",
                             1)
                  .by_default("1us",
                              "from 1 us on, a loosely-timed initiator with a quantum keeper "
                              "runs at its speed plateau (10 ns: 22 M, 1 us: 63 M, 10 us: 66 M "
                              "transactions/s; docs/hardware-parameters.md 10)"));
    c.declare(Spec::size("host.reserved_below",
                         "physical memory below this holds firmware and the kernel image; "
                         "the page allocator never hands it out")
                  .by_default("16MiB",
                              "x86-64 CONFIG_PHYSICAL_START defaults to 0x1000000: firmware "
                              "and the kernel image sit below it"));
    c.declare(Spec::duration("sw.pin_page", "kernel CPU time to pin one user page (GUP)")
                  .by_default("95ns",
                              "pinning a 16 GiB BAR page by page (4,194,304 pages) took 0.4 s "
                              "on a 2.6 GHz Xeon E5 (commit 356e88ebe447; "
                              "docs/hardware-parameters.md 7)"));
    c.declare(Spec::duration("sw.page_fault",
                             "CPU time to handle one anonymous page fault (a 4 KiB page or a "
                             "2 MiB folio), besides zeroing the memory")
                  .by_default("1us",
                              "a first touch of fresh anonymous memory on an 11th-generation "
                              "Core i7 under Linux 6.6: median 3,241 TSC cycles at 3.2 GHz over "
                              "100 runs (ddumbying.vercel.app, \"Page fault latency "
                              "measurement\"; secondary, unverified). That touch was a read, "
                              "which maps the shared zero page, so it is a lower bound for a "
                              "write fault, which also allocates and accounts the folio; used "
                              "for a 2 MiB folio's fault too (unverified)"));
    c.declare(Spec::duration("sw.syscall",
                             "CPU time to enter and leave the kernel for one system call (open, "
                             "close or a VFIO ioctl), besides the work it does")
                  .by_default("100ns",
                              "a null system call measured at \"closer to 100 ns\" without "
                              "KPTI and \"a touch over 300 ns\" with it on a Skylake desktop "
                              "(blog.i0.pm, \"what a syscall actually costs\", 2019; "
                              "secondary, unverified); Tiger Lake needs no KPTI"));
    c.declare(Spec::duration("sw.kmap_page",
                             "kernel CPU time to map and unmap one page for the flush helper "
                             "(kmap_local_page / kunmap_local)")
                  .by_default("6cycles",
                              "without HIGHMEM (x86-64, arm64) kmap_local_page() is "
                              "page_address(): vmemmap arithmetic and the direct-map offset, "
                              "about four dependent ALU instructions, and kunmap_local() does "
                              "nothing (include/linux/highmem-internal.h; derived, unverified)"));
    c.declare(Spec::duration("sw.iommu_map", "kernel CPU time of one iommu_map() call")
                  .by_default("1us",
                              "dma_map_benchmark, single mode: map 1.0 us including the IOVA "
                              "allocation, an upper bound for iommu_map() "
                              "(docs/hardware-parameters.md 7)"));
    c.declare(Spec::duration("sw.iommu_unmap",
                             "kernel CPU time of one iommu_unmap() call, without the IOTLB sync")
                  .by_default("1us",
                              "dma_map_benchmark, single mode: unmap 1.3 us including the IOTLB "
                              "invalidation; clearing PTEs is the same page-table work as "
                              "writing them, so an unmap without its sync is taken to cost what "
                              "a map does (derived; docs/hardware-parameters.md 7)"));
    c.declare(Spec::duration("sw.iotlb_sync",
                             "kernel CPU time of one IOTLB sync: queue the invalidation and "
                             "wait for it")
                  .by_default("0.3us",
                              "the difference between dma_map_benchmark's unmap (1.3 us) and "
                              "map (1.0 us) (derived; docs/hardware-parameters.md 7)"));
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
