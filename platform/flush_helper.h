// SPDX-License-Identifier: GPL-2.0-only
// The x86 flush helper of the 2024 series, on the CPU agent model of the
// active core: arch_clean_nonsnoop_dma() / arch_flush_cache_phys() walks the
// range page by page and, per page, maps it (kmap_local_page), does mb();
// clflushopt (or clflush where the CPU lacks it) on each of the 64 lines;
// mb(). Pages beyond RAM (MMIO) are skipped, as the helper skips uncacheable
// reserved pfns. wbinvd_on_all_cpus() for the wbinvd policy.
#pragma once

#include "platform/cores.h"
#include "vfio/arch_flush.h"

namespace iocsim::platform {

class FlushHelper : public vfio::ArchFlush {
 public:
  FlushHelper(const Cores& cores, uint64_t memory_size, Picos kmap_page)
      : cores_(&cores), memory_size_(memory_size), kmap_page_(kmap_page) {}

  vfio::ArchFlushDone flush_cache_phys(vfio::phys_addr_t phys, uint64_t len) override;
  vfio::ArchFlushDone wbinvd_on_all_cpus() override;

 private:
  models::CpuAgent& cpu() const { return cores_->active(); }
  const Cores* cores_;
  uint64_t memory_size_;
  Picos kmap_page_;
};

}  // namespace iocsim::platform
