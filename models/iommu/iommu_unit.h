// SPDX-License-Identifier: GPL-2.0-only
// An IOMMU unit (a VT-d DMAR unit, an AMD-Vi IOMMU, an SMMU) with its domains.
//
// Data path: device requests arrive on `device_side` carrying RequestAttributes
// (stream id, No-Snoop). The unit finds the domain the stream is attached to,
// translates page by page through the domain's I/O page table and checks the
// permission; a request with No-Snoop in a domain that does not enforce cache
// coherency goes straight to memory (`direct_side`), every other request goes
// through the cache hierarchy (`coherent_side`). A request that cannot be
// translated is answered with TLM_ADDRESS_ERROR_RESPONSE and recorded as a
// fault; it never stops the simulation.
//
// Control path: what the IOMMU driver does to the hardware (allocate domains,
// attach devices, write and clear page-table entries, invalidate the IOTLB),
// as plain calls stamped with the simulated time they take effect.
//
// Snoop control: a unit with `snoop_control` can make a domain enforce cache
// coherency (VT-d ECAP.SC: the SNP bit overrides No-Snoop); one without cannot.
//
// Translation: an IOTLB (see Iotlb) caches translations by domain; a miss
// walks the domain's radix table (see TablePlacement) with one dependent
// 64-byte read per level, from the top level down to the level of the page
// that translates the address (4 reads for a 4 KiB page in a 4-level table, 3
// for 2 MiB, 2 for 1 GiB). The reads go through the cache hierarchy when the
// unit's walks are coherent (VT-d ECAP.C, SMMU COHACC) and straight to DRAM
// otherwise. A walk that finds no translation faults after reading every
// level. Unmapping a page leaves its IOTLB entry in place, stale, until
// iotlb_sync() invalidates the range (or the entry is evicted); a device that
// hits it still reaches the old page, and the observer is told. The cost of
// an invalidation is the kernel's (charged by the caller); a hit costs no time.
//
// Deferred invalidation (a what-if: the dma-iommu flush queue, which Linux
// uses for DMA-API domains in lazy mode but never for VFIO's): queue_sync()
// only records the range; the queue is invalidated in one go when it would
// hold `fq_size` ranges, or `fq_timeout` after its oldest range was queued.
// The timeout is noticed at the next request, sync or settle(), and takes
// effect at the time it expired.
// A paging-structure cache (WalkCache, iommu.walk_cache.entries) can keep the
// upper levels' entries so that a walk starts lower down.
// A device's run of one-line writes or reads through one IOTLB entry that
// hits moves at once, with the lookups, memory's timing and the observer's
// view of each line (device_run).
// Not modelled (yet): ATS, PASIDs, nested translation.
#pragma once

#include <cstdint>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/attributes.h"
#include "models/common/blocking_path.h"
#include "models/common/blocking_target.h"
#include "models/common/observer.h"
#include "base/params.h"
#include "base/stats.h"
#include "models/common/time.h"
#include "base/line_value.h"
#include "models/iommu/io_page_table.h"
#include "models/iommu/iommu_unit_config.h"
#include "models/iommu/iotlb.h"
#include "models/iommu/walk_cache.h"
#include "models/iommu/table_placement.h"

namespace iocsim::models {

// Domain ids are unique across all units of a platform.
class DomainIds {
 public:
  uint32_t next() { return ++last_; }

 private:
  uint32_t last_ = 0;
};

struct IommuStats {
  uint64_t requests = 0;
  uint64_t lines_snooped = 0, lines_direct = 0;
  uint64_t faults = 0;
  uint64_t pages_mapped = 0, pages_unmapped = 0;
  uint64_t iotlb_syncs = 0;
  uint64_t walks = 0, walk_reads = 0;
  uint64_t stale_translations = 0;  // lines moved through a stale IOTLB entry
  uint64_t fq_flushes = 0, fq_timeouts = 0;  // deferred invalidation: queue flushes, by timeout
};

class IommuUnit : public sc_core::sc_module,
                  public stats::Provider,
                  private BlockingTarget {
 public:
  // A unit may have no device behind it.
  FanInTargetSocket device_side;
  tlm_utils::simple_initiator_socket<IommuUnit> coherent_side;
  tlm_utils::simple_initiator_socket<IommuUnit> direct_side;

  // `tables` places the I/O page tables of every unit of the platform.
  IommuUnit(sc_core::sc_module_name name, const IommuUnitConfig& config, DomainIds& ids,
            TablePlacement& tables, CoherenceObserver* observer);

  const IommuUnitConfig& config() const { return config_; }
  const IommuStats& stats() const { return stats_; }
  const IotlbStats& iotlb_stats() const { return iotlb_.stats(); }
  const WalkCacheStats& walk_cache_stats() const { return walk_cache_.stats(); }
  static constexpr const char* kStatsSection = TablePlacement::kStatsSection;
  const stats::Group& statistics() const override { return statistics_; }

  uint32_t domain_alloc();
  void domain_free(uint32_t domain, Picos at);
  bool owns(uint32_t domain) const { return domains_.count(domain) != 0; }
  // Routes a stream's requests through `domain` (replacing any previous one).
  void attach_device(uint32_t domain, uint32_t stream_id, Picos at);
  void detach_device(uint32_t domain, uint32_t stream_id, Picos at);
  // Asks the domain to block No-Snoop; true if it now does.
  bool enforce_cache_coherency(uint32_t domain, Picos at);
  bool coherent(uint32_t domain) const;

  // Driver page-table operations (see IoPageTable). Map checks the aperture
  // and returns -EFAULT beyond it, as VT-d does for an address wider than
  // the domain's address width.
  int map_pages(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t pgsize, uint64_t count,
                bool read, bool write, Picos at);
  uint64_t unmap_pages(uint32_t domain, uint64_t iova, uint64_t pgsize, uint64_t count,
                       Picos at);
  uint64_t iova_to_phys(uint32_t domain, uint64_t iova) const;
  // The lowest IOVA in [from, last] with a translation (`from` itself if it
  // has one), or nothing; O(log entries).
  std::optional<uint64_t> first_mapped(uint32_t domain, uint64_t from, uint64_t last) const;
  // iova_to_phys() in `pa`, and the bytes from `iova` to the end of the
  // entry that translates it (0 if none does).
  uint64_t translated_extent(uint32_t domain, uint64_t iova, uint64_t& pa) const;
  // Invalidates the domain's IOTLB entries overlapping [iova, iova + size)
  // (nothing when size is 0), as of `at`; with deferred invalidation, also
  // everything queued.
  void iotlb_sync(uint32_t domain, uint64_t iova, uint64_t size, Picos at);
  // With deferred invalidation, queues the range and returns true unless the
  // queue is full (then the caller syncs, flushing the queue). False without.
  bool queue_sync(uint32_t domain, uint64_t iova, uint64_t size, Picos at);
  // Carries out a queue flush whose timeout expired by `now`.
  void settle(Picos now);
  const IoPageTable& page_table(uint32_t domain) const;

 private:
  struct Domain {
    explicit Domain(const IommuUnitConfig& c) : table(c.pgsize_bitmap, c.split_on_unmap) {}
    IoPageTable table;
    bool coherent = false;
    std::set<uint32_t> devices;
  };

  // A device request, from device_side.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  // A device's run of one-line writes of `*written` (LineFill::device_run)
  // or, with no `written`, reads (PacedReads): takes the lines the IOTLB
  // entry of the first translates, if it hits, up to the first the observer
  // or the target cannot take at once, and says how many in `lines_taken`.
  void device_run(tlm::tlm_generic_payload& trans, uint64_t& lines_taken,
                  const LineValue* written, sc_core::sc_time& delay);
  Domain& domain(uint32_t id);
  const Domain& domain(uint32_t id) const;
  void fault(uint32_t stream, uint64_t iova, bool write, sc_core::sc_time delay);
  // The translation of `iova` from the IOTLB, or from a walk (which fills the
  // IOTLB and adds its reads to `delay`); nullptr if there is none. Valid
  // until the IOTLB next changes. The observer is told whether the IOTLB hit
  // for device `stream_id`.
  const IotlbEntry* translate(uint32_t stream_id, uint32_t domain_id, const Domain& d,
                              uint64_t iova, sc_core::sc_time& delay);
  void walk(uint32_t domain, uint64_t iova, uint64_t page_size, sc_core::sc_time& delay);
  // Drops the domain's IOTLB entries overlapping [first, last] (inclusive).
  void invalidate(uint32_t domain, uint64_t first, uint64_t last, Picos at);
  void flush_queue(Picos at);
  void report_dropped(std::vector<IotlbEntry>& dropped, Picos at);

  IommuUnitConfig config_;
  DomainIds* ids_;
  CoherenceObserver* observer_;
  CoherenceObserver* traffic_observer_;  // observer_ if it watches traffic, else null
  BlockingPath coherent_path_{coherent_side};
  BlockingPath direct_path_{direct_side};
  std::map<uint32_t, Domain> domains_;
  std::map<uint32_t, uint32_t> stream_domain_;
  // Where the stream of the last request is attached (a device's requests
  // come in runs); forgotten whenever a device detaches. That covers every
  // way it can go out of date: attaching an attached device detaches it
  // first, and a domain cannot be freed while a device is attached to it.
  struct Attachment {
    uint32_t stream = 0;
    uint32_t domain = 0;
    Domain* d = nullptr;
  };
  Attachment last_attachment_;
  // last_attachment_, brought to `stream_id`'s (nullptr: it is attached nowhere).
  const Attachment* attachment_of(uint32_t stream_id);
  IommuStats stats_;
  stats::Group statistics_;
  Iotlb iotlb_;
  WalkCache walk_cache_;
  TablePlacement* tables_;
  std::vector<IotlbEntry> changed_;  // scratch for IOTLB updates (no allocation per request)
  struct QueuedSync {
    uint32_t domain;
    uint64_t first, last;
  };
  std::vector<QueuedSync> queue_;  // deferred invalidation
  Picos queued_since_ = 0;         // when the oldest queued range was queued

  // Reused for every walk read. The payload owns its extension.
  tlm::tlm_generic_payload walk_trans_;
  unsigned char walk_data_[kLineBytes] = {};
};

}  // namespace iocsim::models
