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
    c.declare(Spec::size("host.fault_run",
                         "how many bytes of consecutive 4 KiB faults land on consecutive "
                         "frames before the allocator hands out a frame elsewhere (a power "
                         "of two of pages); 2MiB or more is a freshly booted machine",
                         kPageBytes)
                  .by_default("4KiB",
                              "a machine that has been running: order-0 pages come from the "
                              "per-CPU lists, which hand out the most recently freed page first "
                              "(mm/page_alloc.c, free_unref_folios and rmqueue_pcplist), and "
                              "free memory of a long-running machine is broken up by the page "
                              "cache and reclaim (Mansi and Swift, \"Characterizing Physical "
                              "Memory Fragmentation\", arXiv 2401.03523, 2024): consecutive "
                              "faults are taken not to get consecutive frames (derived, "
                              "unverified)"));
    c.declare(Spec::duration("sw.pin_page",
                             "kernel CPU time for get_user_pages to pin one PTE-mapped page: the "
                             "page-table walk, the folio grab and the page pointer stored")
                  .by_default("247cycles",
                              "pinning a 16 GiB BAR page by page (4,194,304 pages) took 0.4 s, "
                              "95 ns a page, on a 2.6 GHz Xeon E5 (commit 356e88ebe447; "
                              "docs/hardware-parameters.md 7): 247 cycles of that clock"));
    c.declare(Spec::duration("sw.pin_folio_page",
                             "kernel CPU time for get_user_pages per page of a PMD-mapped folio "
                             "after its first: one walk and one grab serve the whole folio "
                             "(sw.pin_page), and each further page costs its page pointer and "
                             "the long-term pin check")
                  .by_default("12cycles",
                              "mm/gup.c: follow_pmd_mask returns the folio's page mask and "
                              "__get_user_pages stores the following pages without walking "
                              "again (a store and an increment), then FOLL_LONGTERM's "
                              "collect_longterm_unpinnable_folios looks at every page "
                              "(page_folio and a comparison with the previous folio): about 12 "
                              "cycles (derived, unverified)"));
    c.declare(Spec::duration("sw.vfio_bookkeeping",
                             "VFIO type1's own work in vfio_pin_pages_remote and "
                             "vfio_unpin_pages_remote: per page on v6.9, per physically "
                             "contiguous run on v6.18")
                  .by_default("20cycles",
                              "a pfn comparison, is_invalid_reserved_pfn (pfn_valid and a page "
                              "flag), vfio_find_vpfn on the dma's pfn tree and the counters: "
                              "about 40 instructions at two per cycle (derived, unverified); "
                              "v6.18 does them once per run (num_pages_contiguous, vpfn_pages: "
                              "commits 929bf010e059, d10872050ffe)"));
    c.declare(Spec::duration("sw.unpin_page",
                             "kernel CPU time to drop the pin of one page, or of one folio's "
                             "pages at once (unpin_user_page_range_dirty_lock on v6.18)")
                  .by_default("40cycles",
                              "gup_put_folio: a locked subtraction from the folio's reference "
                              "count (about 18 cycles, Agner Fog's tables for Skylake-derived "
                              "cores, unverified), a per-CPU statistic and the call "
                              "(mm/gup.c; derived, unverified)"));
    c.declare(Spec::duration("sw.unpin_dirty",
                             "kernel CPU time to mark a folio dirty when a writable mapping "
                             "drops its first pin on it (folio_lock, folio_mark_dirty, "
                             "folio_unlock)")
                  .by_default("60cycles",
                              "three locked read-modify-writes of the folio's flags at about 18 "
                              "cycles each (Agner Fog's tables for Skylake-derived cores, "
                              "unverified; mm/gup.c unpin_user_pages_dirty_lock; derived)"));
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
                  .by_default("200cycles",
                              "iommu_map: the page-size split (iommu_pgsize) and the driver's "
                              "map_pages, which walks to the leaf table (four dependent loads, "
                              "cache-hot while a range is mapped in order) and writes each entry "
                              "with a compare-and-exchange: about 200 cycles "
                              "(drivers/iommu/iommu.c, intel/iommu.c; derived, unverified). "
                              "dma_map_benchmark's 1.0 us a map includes the IOVA allocation "
                              "and the DMA API layers, so it is an upper bound "
                              "(docs/hardware-parameters.md 7)"));
    c.declare(Spec::duration("sw.iommu_unmap",
                             "kernel CPU time of one iommu_unmap() call, without the IOTLB sync")
                  .by_default("200cycles",
                              "clearing entries is the same walk and the same writes as setting "
                              "them, so an unmap without its sync is taken to cost what a map "
                              "does (derived, unverified; docs/hardware-parameters.md 7)"));
    c.declare(Spec::duration("sw.iova_to_phys",
                             "kernel CPU time of one iommu_iova_to_phys() call")
                  .by_default("40cycles",
                              "an indirect call to the driver and a walk of four levels whose "
                              "entries stay in the L1 and L2 caches while type1 scans a mapping "
                              "page after page (drivers/iommu/intel/iommu.c; derived, "
                              "unverified)"));
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

bool is_device_param(std::string_view name) {
  return name.rfind("pcie.", 0) == 0 || name.rfind("dma.", 0) == 0;
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
  // Runs below a pageblock (2 MiB) must divide it.
  constexpr uint64_t kPageblockPages = (uint64_t{2} << 20) / kPageBytes;
  const uint64_t fault_run = set.size("host.fault_run") / kPageBytes;
  if (set.size("host.fault_run") % kPageBytes != 0 ||
      (fault_run < kPageblockPages && (fault_run & (fault_run - 1)) != 0))
    out.push_back(fmt::format("host.fault_run ({}) must be a power of two of 4 KiB pages, or "
                              "2MiB or more",
                              units::format_size(set.size("host.fault_run"))));
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
  const uint64_t payload = set.size("pcie.max_payload");
  if ((payload & (payload - 1)) != 0)
    out.push_back(fmt::format("pcie.max_payload ({}) must be a power of two",
                              units::format_size(payload)));
  const uint64_t completion = set.size("pcie.read_completion");
  if (completion % kLineBytes != 0 || completion > payload)
    out.push_back(fmt::format(
        "pcie.read_completion ({}) must be a multiple of 64 bytes and at most pcie.max_payload "
        "({})",
        units::format_size(completion), units::format_size(payload)));
  return out;
}

}  // namespace iocsim::platform
