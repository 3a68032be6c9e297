// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/iommu_unit.h"

#include <cerrno>
#include <stdexcept>

#include "models/common/attributes.h"

namespace iocsim::models {

IommuUnit::IommuUnit(sc_core::sc_module_name name, const IommuUnitConfig& config,
                     DomainIds& ids, CoherenceObserver* observer)
    : sc_module(name),
      device_side("device_side"),
      coherent_side("coherent_side"),
      direct_side("direct_side"),
      config_(config),
      ids_(&ids),
      observer_(observer) {
  device_side.register_b_transport(this, &IommuUnit::b_transport);
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
  // Freeing a domain drops its page table; translations vanish with it.
  for (const auto& [iova, pte] : d.table.entries())
    if (observer_) observer_->translation_unmapped(id, pte.iova, pte.pa, pte.size, at);
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
  if (observer_)
    for (const IoPte& p : removed)
      observer_->translation_unmapped(id, p.iova, p.pa, p.size, at);
  return unmapped;
}

uint64_t IommuUnit::iova_to_phys(uint32_t id, uint64_t iova) const {
  auto pte = domain(id).table.lookup(iova);
  return pte ? pte->pa + (iova - pte->iova) : 0;
}

std::optional<uint64_t> IommuUnit::first_mapped(uint32_t id, uint64_t from,
                                                uint64_t last) const {
  if (domain(id).table.lookup(from)) return from;
  const auto& entries = domain(id).table.entries();
  auto it = entries.lower_bound(from);
  if (it == entries.end() || it->first > last) return std::nullopt;
  return it->first;
}

void IommuUnit::iotlb_sync(uint32_t id) {
  domain(id);  // must exist
  ++stats_.iotlb_syncs;
}

const IoPageTable& IommuUnit::page_table(uint32_t id) const { return domain(id).table; }

void IommuUnit::fault(uint32_t stream, uint64_t iova, bool write, sc_core::sc_time delay) {
  ++stats_.faults;
  if (observer_)
    observer_->translation_fault(stream, iova, write,
                                 to_picos(sc_core::sc_time_stamp() + delay));
}

void IommuUnit::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  ++stats_.requests;
  auto* attrs = trans.get_extension<RequestAttributes>();
  const uint64_t iova = trans.get_address();
  const uint64_t length = trans.get_data_length();
  const bool write = trans.is_write();
  if (!attrs) {
    trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  auto attached = stream_domain_.find(attrs->stream_id);
  if (attached == stream_domain_.end()) {
    fault(attrs->stream_id, iova, write, delay);
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint32_t domain_id = attached->second;
  Domain& d = domain(domain_id);
  const bool snooped = !(attrs->no_snoop && !d.coherent);
  auto& out = snooped ? coherent_side : direct_side;

  unsigned char* const data = trans.get_data_ptr();
  uint64_t done = 0;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  while (done < length) {
    const uint64_t at = iova + done;
    auto pte = d.table.lookup(at);
    if (!pte || (write ? !pte->write : !pte->read)) {
      fault(attrs->stream_id, at, write, delay);
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      break;
    }
    const uint64_t in_page = pte->size - (at - pte->iova);
    const uint64_t chunk = std::min(length - done, in_page);
    const uint64_t pa = pte->pa + (at - pte->iova);
    trans.set_address(pa);
    trans.set_data_ptr(data + done);
    trans.set_data_length(chunk);
    trans.set_streaming_width(chunk);
    out->b_transport(trans, delay);
    if (trans.is_response_error()) break;
    const uint64_t lines = chunk / kLineBytes;
    (snooped ? stats_.lines_snooped : stats_.lines_direct) += lines;
    if (observer_) {
      const Picos when = to_picos(sc_core::sc_time_stamp() + delay);
      for (uint64_t i = 0; i < lines; ++i)
        observer_->device_access({attrs->stream_id, domain_id, at + i * kLineBytes,
                                  pa + i * kLineBytes, write, snooped,
                                  get_line(data + done, i), when});
    }
    done += chunk;
  }
  trans.set_address(iova);
  trans.set_data_ptr(data);
  trans.set_data_length(length);
  trans.set_streaming_width(length);
}

}  // namespace iocsim::models
