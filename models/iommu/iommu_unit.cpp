// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/iommu_unit.h"

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "models/common/attributes.h"
#include "models/common/line_token.h"

namespace iocsim::models {

void IotlbConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::count("iommu.iotlb.entries",
                              "IOTLB entries per IOMMU unit (one per page, of any page size)", 1,
                              1u << 20)
                      .by_default("128",
                                  "a modelling default typical of Intel client and server "
                                  "IOMMUs (unverified; docs/hardware-parameters.md 6.2, 8)"));
  catalog.declare(Spec::count("iommu.iotlb.ways", "IOTLB associativity (0: fully associative)",
                              0, 1u << 20)
                      .by_default("0", "fully associative, LRU (docs/hardware-parameters.md 6.2)"));
  catalog.declare(Spec::count("iommu.walk_cache.entries",
                              "paging-structure cache entries per IOMMU unit: non-leaf entries "
                              "that let a walk skip levels (0: none)",
                              0, 4096)
                      .by_default("0",
                                  "VT-d and SMMU implementations have paging-structure caches "
                                  "but publish no size (docs/hardware-parameters.md 6.2): 0 walks "
                                  "from the root every time, the upper bound of a miss's cost; "
                                  "set it for a what-if (scenarios/examples/walk-cache.yaml)"));
}

IotlbConfig IotlbConfig::from(const params::Set& set) {
  const uint64_t entries = set.count("iommu.iotlb.entries"), ways = set.count("iommu.iotlb.ways");
  return {entries, ways == 0 ? entries : ways, set.count("iommu.walk_cache.entries")};
}

void InvalidationConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  constexpr const char* kFlushQueue =
      "the dma-iommu flush queue's defaults, IOVA_DEFAULT_FQ_SIZE 256 and "
      "IOVA_DEFAULT_FQ_TIMEOUT 10 ms (drivers/iommu/dma-iommu.c; docs/hardware-parameters.md 6.5)";
  catalog.declare(Spec::choice("iommu.invalidation",
                               "when an IOTLB sync takes effect: strict (at once), or deferred "
                               "through a flush queue (a what-if for VFIO's domains)",
                               {"strict", "deferred"})
                      .by_default("strict",
                                  "VFIO's domains invalidate strictly: vfio_iommu_type1.c syncs "
                                  "the IOTLB before it unpins (docs/kernel-behaviour.md 4.4)"));
  catalog.declare(Spec::count("iommu.fq.size",
                              "deferred invalidation: syncs queued before the queue is flushed",
                              1, 1u << 20)
                      .by_default("256", kFlushQueue));
  catalog.declare(Spec::duration("iommu.fq.timeout",
                                 "deferred invalidation: the longest a sync waits in the queue")
                      .by_default("10ms", kFlushQueue));
}

InvalidationConfig InvalidationConfig::from(const params::Set& set) {
  return {set.choice("iommu.invalidation") == "deferred", set.count("iommu.fq.size"),
          set.picos("iommu.fq.timeout")};
}

IommuUnit::IommuUnit(sc_core::sc_module_name name, const IommuUnitConfig& config,
                     DomainIds& ids, TablePlacement& tables, CoherenceObserver* observer)
    : sc_module(name),
      device_side("device_side"),
      coherent_side("coherent_side"),
      direct_side("direct_side"),
      config_(config),
      ids_(&ids),
      observer_(observer),
      traffic_observer_(observer && observer->watches_traffic() ? observer : nullptr),
      statistics_(kStatsSection, std::string(basename()) + "."),
      iotlb_(config.iotlb.entries, config.iotlb.ways),
      walk_cache_(config.iotlb.walk_cache_entries),
      tables_(&tables) {
  const IotlbStats& iotlb = iotlb_.stats();
  const WalkCacheStats& walk_cache = walk_cache_.stats();
  for (const auto& [counter, value] :
       {std::pair<const char*, const uint64_t*>{"requests", &stats_.requests},
        {"lines_snooped", &stats_.lines_snooped},
        {"lines_direct", &stats_.lines_direct}, {"faults", &stats_.faults},
        {"pages_mapped", &stats_.pages_mapped}, {"pages_unmapped", &stats_.pages_unmapped},
        {"iotlb_syncs", &stats_.iotlb_syncs}, {"iotlb_hits", &iotlb.hits},
        {"iotlb_misses", &iotlb.misses}, {"iotlb_evictions", &iotlb.evictions},
        {"iotlb_invalidated", &iotlb.invalidated}, {"walks", &stats_.walks},
        {"walk_reads", &stats_.walk_reads}, {"walk_cache_hits", &walk_cache.hits},
        {"walk_cache_misses", &walk_cache.misses},
        {"stale_translation_lines", &stats_.stale_translations},
        {"fq_flushes", &stats_.fq_flushes}, {"fq_timeouts", &stats_.fq_timeouts}})
    statistics_.add(counter, *value);
  if (config.levels == 0 || config.levels > 6)
    throw std::invalid_argument(std::string(name) + ": page tables have 1 to 6 levels");
  device_side.bind(*this);
  auto* attrs = new RequestAttributes;
  attrs->initiator = Initiator::device;
  attrs->no_snoop = !config.coherent_walk;
  walk_trans_.set_extension(attrs);
  walk_trans_.set_command(tlm::TLM_READ_COMMAND);
  walk_trans_.set_data_ptr(walk_data_);
  walk_trans_.set_data_length(kLineBytes);
  walk_trans_.set_streaming_width(kLineBytes);
}

IommuUnit::Domain& IommuUnit::domain(uint32_t id) {
  auto it = domains_.find(id);
  if (it == domains_.end())
    throw std::logic_error(std::string(name()) + ": no domain " + std::to_string(id));
  return it->second;
}

const IommuUnit::Domain& IommuUnit::domain(uint32_t id) const {
  return const_cast<IommuUnit*>(this)->domain(id);
}

uint32_t IommuUnit::domain_alloc() {
  uint32_t id = ids_->next();
  domains_.emplace(id, Domain(config_));
  if (observer_) observer_->domain_created(id);
  return id;
}

void IommuUnit::domain_free(uint32_t id, Picos at) {
  Domain& d = domain(id);
  if (!d.devices.empty())
    throw std::logic_error(std::string(name()) + ": freeing a domain with devices attached");
  // Freeing a domain drops its page table; translations vanish with it, and
  // the driver flushes the domain's IOTLB entries before its id can be reused.
  for (const auto& [iova, pte] : d.table.entries())
    if (observer_) observer_->translation_unmapped(id, pte.iova, pte.pa, pte.size, at);
  invalidate(id, 0, UINT64_MAX, at);
  tables_->release(id);
  domains_.erase(id);
  if (observer_) observer_->domain_destroyed(id, at);
}

void IommuUnit::attach_device(uint32_t id, uint32_t stream_id, Picos at) {
  auto previous = stream_domain_.find(stream_id);
  if (previous != stream_domain_.end()) detach_device(previous->second, stream_id, at);
  domain(id).devices.insert(stream_id);
  stream_domain_[stream_id] = id;
  if (observer_) observer_->device_attached(id, stream_id, at);
}

void IommuUnit::detach_device(uint32_t id, uint32_t stream_id, Picos at) {
  if (domain(id).devices.erase(stream_id) == 0) return;
  stream_domain_.erase(stream_id);
  last_attachment_ = {};
  if (observer_) observer_->device_detached(id, stream_id, at);
}

bool IommuUnit::enforce_cache_coherency(uint32_t id, Picos at) {
  Domain& d = domain(id);
  if (config_.snoop_control && !d.coherent) {
    d.coherent = true;
    if (observer_) observer_->coherency_enforced(id, at);
  }
  return d.coherent;
}

bool IommuUnit::coherent(uint32_t id) const { return domain(id).coherent; }

int IommuUnit::map_pages(uint32_t id, uint64_t iova, uint64_t pa, uint64_t pgsize,
                         uint64_t count, bool read, bool write, Picos at) {
  const uint64_t last = iova + (pgsize * count - 1);
  if (iova < config_.aperture_start || last > config_.aperture_end || last < iova)
    return -EFAULT;
  std::vector<IoPte> added;
  int ret = domain(id).table.map_pages(iova, pa, pgsize, count, read, write, added);
  if (ret) return ret;
  stats_.pages_mapped += count;
  if (observer_)
    for (const IoPte& p : added)
      observer_->translation_mapped(id, p.iova, p.pa, p.size, p.read, p.write, at);
  return 0;
}

uint64_t IommuUnit::unmap_pages(uint32_t id, uint64_t iova, uint64_t pgsize, uint64_t count,
                                Picos at) {
  std::vector<IoPte> removed;
  uint64_t unmapped = domain(id).table.unmap_pages(iova, pgsize, count, removed);
  stats_.pages_unmapped += removed.size();
  for (const IoPte& p : removed) {
    // A cached copy keeps the page reachable: shown before the mapping goes,
    // so that what devices can reach never has a gap.
    changed_.clear();
    iotlb_.mark_stale(id, p.iova, p.iova + (p.size - 1), changed_);
    if (!observer_) continue;
    for (const IotlbEntry& e : changed_)
      observer_->iotlb_entry_stale(e.domain, e.iova, e.pa, e.size, e.read, at);
    observer_->translation_unmapped(id, p.iova, p.pa, p.size, at);
  }
  return unmapped;
}

uint64_t IommuUnit::iova_to_phys(uint32_t id, uint64_t iova) const {
  auto pte = domain(id).table.lookup(iova);
  return pte ? pte->pa + (iova - pte->iova) : 0;
}

uint64_t IommuUnit::translated_extent(uint32_t id, uint64_t iova, uint64_t& pa) const {
  auto pte = domain(id).table.lookup(iova);
  if (!pte) return 0;
  pa = pte->pa + (iova - pte->iova);
  return pte->size - (iova - pte->iova);
}

std::optional<uint64_t> IommuUnit::first_mapped(uint32_t id, uint64_t from,
                                                uint64_t last) const {
  if (domain(id).table.lookup(from)) return from;
  const auto& entries = domain(id).table.entries();
  auto it = entries.lower_bound(from);
  if (it == entries.end() || it->first > last) return std::nullopt;
  return it->first;
}

void IommuUnit::iotlb_sync(uint32_t id, uint64_t iova, uint64_t size, Picos at) {
  domain(id);  // must exist
  ++stats_.iotlb_syncs;
  settle(at);
  if (!queue_.empty()) flush_queue(at);
  if (size) invalidate(id, iova, iova + (size - 1), at);
}

bool IommuUnit::queue_sync(uint32_t id, uint64_t iova, uint64_t size, Picos at) {
  if (!config_.invalidation.deferred) return false;
  domain(id);  // must exist
  settle(at);
  if (queue_.size() + 1 >= config_.invalidation.fq_size) return false;
  if (size == 0) return true;
  if (queue_.empty()) queued_since_ = at;
  queue_.push_back({id, iova, iova + (size - 1)});
  return true;
}

void IommuUnit::settle(Picos now) {
  if (queue_.empty() || now < queued_since_ + config_.invalidation.fq_timeout) return;
  ++stats_.fq_timeouts;
  flush_queue(queued_since_ + config_.invalidation.fq_timeout);
}

void IommuUnit::flush_queue(Picos at) {
  ++stats_.fq_flushes;
  for (const QueuedSync& q : queue_)
    if (domains_.count(q.domain)) invalidate(q.domain, q.first, q.last, at);
  queue_.clear();
}

void IommuUnit::invalidate(uint32_t id, uint64_t first, uint64_t last, Picos at) {
  changed_.clear();
  iotlb_.invalidate(id, first, last, changed_);
  walk_cache_.invalidate(id);
  report_dropped(changed_, at);
}

void IommuUnit::report_dropped(std::vector<IotlbEntry>& dropped, Picos at) {
  if (observer_)
    for (const IotlbEntry& e : dropped) observer_->iotlb_entry_dropped(e.domain, e.iova, at);
}

void IommuUnit::walk(uint32_t domain_id, uint64_t iova, uint64_t page_size,
                     sc_core::sc_time& delay) {
  // The level whose entries map `page_size` pages: 1 for 4 KiB, 2 for 2 MiB...
  unsigned leaf = 1;
  for (uint64_t span = kPageBytes << 9; span <= page_size && leaf < config_.levels; span <<= 9)
    ++leaf;
  ++stats_.walks;
  BlockingPath& out = config_.coherent_walk ? coherent_path_ : direct_path_;
  const unsigned first = walk_cache_.deepest(domain_id, iova, leaf, config_.levels) - 1;
  for (unsigned level = first; level >= leaf; --level) {
    walk_trans_.set_address(line_base(tables_->entry_address(domain_id, level, iova)));
    walk_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    out.b_transport(walk_trans_, delay);  // dependent reads: each waits for the last
    if (walk_trans_.is_response_error())
      throw std::runtime_error(std::string(name()) + ": memory rejected a page-table read (" +
                               walk_trans_.get_response_string() + ")");
    ++stats_.walk_reads;
    if (level > leaf) walk_cache_.fill(domain_id, level, iova);
  }
}

const IotlbEntry* IommuUnit::translate(uint32_t stream_id, uint32_t domain_id, const Domain& d,
                                       uint64_t iova, sc_core::sc_time& delay) {
  const IotlbEntry* hit = iotlb_.lookup(domain_id, iova);
  if (traffic_observer_)
    traffic_observer_->iotlb_looked_up(stream_id, hit != nullptr,
                                       global_picos() + to_picos(delay));
  if (hit) return hit;
  const std::optional<IoPte> pte = d.table.lookup(iova);
  walk(domain_id, iova, pte ? pte->size : kPageBytes, delay);
  if (!pte) return nullptr;
  changed_.clear();
  const IotlbEntry& filled = iotlb_.fill(
      {domain_id, pte->iova, pte->size, pte->pa, pte->read, pte->write, false}, changed_);
  report_dropped(changed_, global_picos() + to_picos(delay));
  return &filled;
}

const IoPageTable& IommuUnit::page_table(uint32_t id) const { return domain(id).table; }

void IommuUnit::fault(uint32_t stream, uint64_t iova, bool write, sc_core::sc_time delay) {
  ++stats_.faults;
  if (observer_)
    observer_->translation_fault(stream, iova, write,
                                 global_picos() + to_picos(delay));
}

const IommuUnit::Attachment* IommuUnit::attachment_of(uint32_t stream_id) {
  if (!last_attachment_.d || last_attachment_.stream != stream_id) {
    auto attached = stream_domain_.find(stream_id);
    if (attached == stream_domain_.end()) return nullptr;
    last_attachment_ = {stream_id, attached->second, &domain(attached->second)};
  }
  return &last_attachment_;
}

void IommuUnit::device_run(tlm::tlm_generic_payload& trans, uint64_t& lines_taken,
                           const LineValue* written, sc_core::sc_time& delay) {
  lines_taken = 0;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  const auto* attrs = trans.get_extension<RequestAttributes>();
  // A traffic observer is shown each line's lookup, and a flush queue is
  // settled at every request: those runs go line by line.
  if (!attrs || traffic_observer_ || !queue_.empty()) return;
  const Attachment* a = attachment_of(attrs->stream_id);
  if (!a) return;
  const uint64_t iova = trans.get_address();
  // The lines the entry that translates the first one covers, if it hits,
  // is not stale and allows the access (each of their lookups would hit
  // it), up to the first the observer or the target cannot take at once.
  const uint32_t slot = iotlb_.peek(a->domain, iova);
  if (slot == Iotlb::kNoSlot) return;
  const IotlbEntry& e = iotlb_.entry(slot);
  if (e.stale || !(written ? e.write : e.read)) return;
  const uint64_t length = std::min<uint64_t>(trans.get_data_length(), e.size - (iova - e.iova));
  const bool snooped = !(attrs->no_snoop && !a->d->coherent);
  DeviceWriteRun shown{{attrs->stream_id, a->domain, iova, e.pa + (iova - e.iova),
                        length / kLineBytes, snooped},
                       written ? *written : LineValue{}};
  if (observer_ && (shown.lines = written ? observer_->takes_device_write_run(shown)
                                          : observer_->takes_device_read_run(shown)) == 0)
    return;
  const uint64_t whole = trans.get_data_length();
  trans.set_address(shown.pa);
  trans.set_data_length(shown.lines * kLineBytes);
  trans.set_streaming_width(shown.lines * kLineBytes);
  (snooped ? coherent_path_ : direct_path_).b_transport(trans, delay);
  trans.set_address(iova);
  trans.set_data_length(whole);
  trans.set_streaming_width(whole);
  // A cache takes the lines up to the first it holds (memory all, unless it
  // rejects the addresses).
  if (trans.is_response_error() || lines_taken == 0) {
    lines_taken = 0;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  shown.lines = lines_taken;
  iotlb_.hit_times(slot, shown.lines);
  stats_.requests += shown.lines;
  (snooped ? stats_.lines_snooped : stats_.lines_direct) += shown.lines;
  if (!observer_) return;
  const Picos at = global_picos() + to_picos(delay);
  if (written) observer_->device_write_run(shown, at);
  else observer_->device_read_run(shown, at);
}

void IommuUnit::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    if (auto* run = trans.get_extension<LineFill>(); run && run->device_run) {
      device_run(trans, run->lines_taken, &run->value, delay);
      return;
    }
    if (auto* reads = trans.get_extension<PacedReads>()) {
      device_run(trans, reads->lines_taken, nullptr, delay);
      return;
    }
  }
  ++stats_.requests;
  if (!queue_.empty()) settle(global_picos() + to_picos(delay));
  auto* attrs = trans.get_extension<RequestAttributes>();
  const uint64_t iova = trans.get_address();
  const uint64_t length = trans.get_data_length();
  const bool write = trans.is_write();
  if (!attrs) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const Attachment* attached = attachment_of(attrs->stream_id);
  if (!attached) {
    fault(attrs->stream_id, iova, write, delay);
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint32_t domain_id = attached->domain;
  Domain& d = *attached->d;
  const bool snooped = !(attrs->no_snoop && !d.coherent);
  BlockingPath& out = snooped ? coherent_path_ : direct_path_;

  unsigned char* const data = trans.get_data_ptr();
  uint64_t done = 0;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  while (done < length) {
    const uint64_t at = iova + done;
    const IotlbEntry* t = translate(attrs->stream_id, domain_id, d, at, delay);
    if (!t || (write ? !t->write : !t->read)) {
      fault(attrs->stream_id, at, write, delay);
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      break;
    }
    const uint64_t in_page = t->size - (at - t->iova);
    const uint64_t chunk = std::min(length - done, in_page);
    const uint64_t pa = t->pa + (at - t->iova);
    trans.set_address(pa);
    trans.set_data_ptr(data + done);
    trans.set_data_length(chunk);
    trans.set_streaming_width(chunk);
    out.b_transport(trans, delay);
    if (trans.is_response_error()) break;
    const uint64_t lines = chunk / kLineBytes;
    (snooped ? stats_.lines_snooped : stats_.lines_direct) += lines;
    if (t->stale) stats_.stale_translations += lines;
    if (observer_) {
      // One record for the chunk, moved along it line by line.
      DeviceAccess access{attrs->stream_id, domain_id, at, pa, write, snooped, {},
                          global_picos() + to_picos(delay), t->stale};
      for (uint64_t i = 0; i < lines; ++i, access.iova += kLineBytes, access.pa += kLineBytes) {
        access.value = get_line(data + done, i);
        observer_->device_access(access);
      }
    }
    done += chunk;
  }
  trans.set_address(iova);
  trans.set_data_ptr(data);
  trans.set_data_length(length);
  trans.set_streaming_width(length);
}

}  // namespace iocsim::models
