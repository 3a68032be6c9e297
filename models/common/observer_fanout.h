// SPDX-License-Identifier: GPL-2.0-only
// Shows every model event to several observers, in the order they were added.
#pragma once

#include <vector>

#include "models/common/observer.h"

namespace iocsim::models {

class ObserverFanout : public CoherenceObserver {
 public:
  void add(CoherenceObserver& observer) { observers_.push_back(&observer); }

  bool needs_line_order() const override {
    for (auto* o : observers_)
      if (o->needs_line_order()) return true;
    return false;
  }
  bool watches_traffic() const override {
    for (auto* o : observers_)
      if (o->watches_traffic()) return true;
    return false;
  }
  void stores_streamed(const StreamedStores& run) override {
    for (auto* o : observers_) o->stores_streamed(run);
  }
  void cpu_store(uint64_t pa, const LineValue& value, Picos at) override {
    for (auto* o : observers_) o->cpu_store(pa, value, at);
  }
  void device_write_cached(uint64_t pa, const LineValue& value, Picos at) override {
    for (auto* o : observers_) o->device_write_cached(pa, value, at);
  }
  void cpu_load(uint64_t pa, const LineValue& value, Picos at) override {
    for (auto* o : observers_) o->cpu_load(pa, value, at);
  }
  void cache_line_filled(uint64_t pa, const LineValue& value, Picos at) override {
    for (auto* o : observers_) o->cache_line_filled(pa, value, at);
  }
  void cache_line_dropped(uint64_t pa, Picos at) override {
    for (auto* o : observers_) o->cache_line_dropped(pa, at);
  }
  void memory_write(uint64_t pa, const LineValue& value, MemoryWriter who, Picos at) override {
    for (auto* o : observers_) o->memory_write(pa, value, who, at);
  }
  void memory_filled(uint64_t pa, uint64_t lines, const LineValue& value, MemoryWriter who,
                     Picos at) override {
    for (auto* o : observers_) o->memory_filled(pa, lines, value, who, at);
  }
  void memory_accessed(uint64_t pa, uint64_t lines, bool write, Picos start,
                       Picos end) override {
    for (auto* o : observers_) o->memory_accessed(pa, lines, write, start, end);
  }
  void iotlb_looked_up(uint32_t stream_id, bool hit, Picos at) override {
    for (auto* o : observers_) o->iotlb_looked_up(stream_id, hit, at);
  }
  void device_access(const DeviceAccess& access) override {
    for (auto* o : observers_) o->device_access(access);
  }
  void device_request(const DeviceRequest& request) override {
    for (auto* o : observers_) o->device_request(request);
  }
  uint64_t takes_device_write_run(const DeviceWriteRun& run) const override {
    DeviceWriteRun taken = run;
    for (auto* o : observers_)
      if ((taken.lines = o->takes_device_write_run(taken)) == 0) break;
    return taken.lines;
  }
  void device_write_run(const DeviceWriteRun& run, Picos at) override {
    for (auto* o : observers_) o->device_write_run(run, at);
  }
  uint64_t takes_device_read_run(const DeviceReadRun& run) const override {
    DeviceReadRun taken = run;
    for (auto* o : observers_)
      if ((taken.lines = o->takes_device_read_run(taken)) == 0) break;
    return taken.lines;
  }
  void device_read_run(const DeviceReadRun& run, Picos at) override {
    for (auto* o : observers_) o->device_read_run(run, at);
  }
  void device_request_run(const DeviceRequestRun& run) override {
    for (auto* o : observers_) o->device_request_run(run);
  }
  void device_nosnoop_capability(uint32_t stream_id, bool capable, Picos at) override {
    for (auto* o : observers_) o->device_nosnoop_capability(stream_id, capable, at);
  }
  void translation_fault(uint32_t stream_id, uint64_t iova, bool write, Picos at) override {
    for (auto* o : observers_) o->translation_fault(stream_id, iova, write, at);
  }
  void domain_created(uint32_t domain) override {
    for (auto* o : observers_) o->domain_created(domain);
  }
  void coherency_enforced(uint32_t domain, Picos at) override {
    for (auto* o : observers_) o->coherency_enforced(domain, at);
  }
  void domain_destroyed(uint32_t domain, Picos at) override {
    for (auto* o : observers_) o->domain_destroyed(domain, at);
  }
  void device_attached(uint32_t domain, uint32_t stream_id, Picos at) override {
    for (auto* o : observers_) o->device_attached(domain, stream_id, at);
  }
  void device_detached(uint32_t domain, uint32_t stream_id, Picos at) override {
    for (auto* o : observers_) o->device_detached(domain, stream_id, at);
  }
  void translation_mapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                          bool readable, bool writable, Picos at) override {
    for (auto* o : observers_)
      o->translation_mapped(domain, iova, pa, size, readable, writable, at);
  }
  void translation_unmapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                            Picos at) override {
    for (auto* o : observers_) o->translation_unmapped(domain, iova, pa, size, at);
  }
  void iotlb_entry_stale(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                         bool readable, Picos at) override {
    for (auto* o : observers_) o->iotlb_entry_stale(domain, iova, pa, size, readable, at);
  }
  void iotlb_entry_dropped(uint32_t domain, uint64_t iova, Picos at) override {
    for (auto* o : observers_) o->iotlb_entry_dropped(domain, iova, at);
  }

 private:
  std::vector<CoherenceObserver*> observers_;
};

}  // namespace iocsim::models
