// SPDX-License-Identifier: GPL-2.0-only
// A mock IOMMU core and arch flush hook for testing the type1 port without
// SystemC, in the spirit of the kernel's iommufd selftest mock domain.
// Domains map 4 KiB pages; each group names its driver identity, whether it
// can enforce coherency, its aperture and reserved regions. Calls are
// appended to a shared event log so tests can check their order.
#pragma once

#include <array>
#include <cerrno>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/set_digest.h"
#include "host/host.h"
#include "vfio/arch_flush.h"
#include "vfio/flush_observer.h"
#include "vfio/iommu_core.h"

namespace iocsim::test {

using vfio::DomainHandle;
using vfio::GroupId;

struct FakeGroup {
  std::string ops = "mock";
  bool snoop_control = true;
  vfio::DomainGeometry geometry{0, (uint64_t{1} << 48) - 1};
  std::vector<vfio::ResvRegion> reserved;
  bool isolated_msi = true;
};

class FakeIommu : public vfio::IommuCore {
 public:
  explicit FakeIommu(std::vector<std::string>& events) : events_(&events) {}

  void add_group(GroupId g, FakeGroup spec) { groups_[g] = std::move(spec); }
  // Makes the n-th iommu_map from now on (1-based) fail with `err`.
  void fail_map(int nth, int err) {
    fail_at_ = map_calls + nth;
    fail_err_ = err;
  }
  // Lets the log show how many pins the host held at each IOTLB sync.
  void watch_pins(const host::Host& h) { host_ = &h; }

  size_t domain_count() const { return domains_.size(); }
  std::map<DomainHandle, SetDigest> digests() const {
    std::map<DomainHandle, SetDigest> out;
    for (const auto& [d, dom] : domains_)
      for (const auto& [iova, pa] : dom.pages) out[d].add(iova, pa);
    return out;
  }
  uint64_t mapped_pages(DomainHandle d) const { return domains_.at(d).pages.size(); }

  vfio::DomainAlloc paging_domain_alloc(GroupId g) override {
    domains_[++next_] = Domain{groups_.at(g), {}, {}, false};
    return {next_, 0};
  }
  void domain_free(DomainHandle d) override {
    events_->push_back(fmt::format("free {}", d));
    domains_.erase(d);
  }
  int attach_group(DomainHandle d, GroupId g) override {
    Domain& dom = domains_.at(d);
    if (dom.spec.ops != groups_.at(g).ops) return -EINVAL;
    dom.groups.insert(g);
    return 0;
  }
  void detach_group(DomainHandle d, GroupId g) override { domains_.at(d).groups.erase(g); }
  vfio::DomainGeometry geometry(DomainHandle d) const override { return domains_.at(d).spec.geometry; }
  uint64_t pgsize_bitmap(DomainHandle) const override { return 4096; }
  std::string ops(DomainHandle d) const override { return domains_.at(d).spec.ops; }
  bool has_enforce_cache_coherency(DomainHandle) const override { return true; }
  bool capable_enforce_cache_coherency(GroupId g) const override {
    return groups_.at(g).snoop_control;
  }
  bool enforce_cache_coherency(DomainHandle d) override {
    Domain& dom = domains_.at(d);
    dom.coherent = dom.spec.snoop_control;
    return dom.coherent;
  }
  int map(DomainHandle d, vfio::dma_addr_t iova, vfio::phys_addr_t paddr, uint64_t size,
          int) override {
    ++map_calls;
    events_->push_back(fmt::format("map {} {:#x} {:#x} {:#x}", d, iova, paddr, size));
    if (map_calls == fail_at_) return fail_err_;
    Domain& dom = domains_.at(d);
    for (uint64_t off = 0; off < size; off += 4096)
      if (dom.pages.count(iova + off)) return -EEXIST;
    for (uint64_t off = 0; off < size; off += 4096) dom.pages[iova + off] = paddr + off;
    return 0;
  }
  uint64_t unmap(DomainHandle d, vfio::dma_addr_t iova, uint64_t size) override {
    ++unmap_calls;
    events_->push_back(fmt::format("unmap {} {:#x} {:#x}", d, iova, size));
    return remove(d, iova, size);
  }
  uint64_t unmap_fast(DomainHandle d, vfio::dma_addr_t iova, uint64_t size,
                      vfio::IotlbGather& gather) override {
    ++unmap_calls;
    events_->push_back(fmt::format("unmap_fast {} {:#x} {:#x}", d, iova, size));
    const uint64_t done = remove(d, iova, size);
    if (done) gather.add(iova, done);
    return done;
  }
  void iotlb_sync(DomainHandle d, vfio::IotlbGather& gather) override {
    ++syncs;
    events_->push_back(host_ ? fmt::format("sync {} pins={}", d, host_->total_pins())
                             : fmt::format("sync {}", d));
    gather = vfio::IotlbGather{};
  }
  vfio::phys_addr_t iova_to_phys(DomainHandle d, vfio::dma_addr_t iova) override {
    return lookup(d, iova);
  }
  uint64_t translated_extent(DomainHandle d, vfio::dma_addr_t iova,
                             vfio::phys_addr_t& phys) const override {
    phys = lookup(d, iova);
    return domains_.at(d).pages.count(iova & ~uint64_t{4095}) ? 4096 - (iova & 4095) : 0;
  }
  std::optional<vfio::dma_addr_t> first_mapped(DomainHandle d, vfio::dma_addr_t from,
                                               vfio::dma_addr_t last) const override {
    const auto& pages = domains_.at(d).pages;
    auto it = pages.lower_bound(from & ~uint64_t{4095});
    if (it == pages.end() || it->first > last) return std::nullopt;
    return std::max(it->first, from);
  }
  int get_group_resv_regions(GroupId g, std::vector<vfio::ResvRegion>& out) override {
    const auto& r = groups_.at(g).reserved;
    out.insert(out.end(), r.begin(), r.end());
    return 0;
  }
  bool group_has_isolated_msi(GroupId g) const override { return groups_.at(g).isolated_msi; }
  int get_msi_cookie(DomainHandle, vfio::phys_addr_t) override { return 0; }

  int map_calls = 0, unmap_calls = 0, syncs = 0;

 private:
  vfio::phys_addr_t lookup(DomainHandle d, vfio::dma_addr_t iova) const {
    const auto& pages = domains_.at(d).pages;
    auto it = pages.find(iova & ~uint64_t{4095});
    return it == pages.end() ? 0 : it->second + (iova & 4095);
  }
  struct Domain {
    FakeGroup spec;
    std::map<uint64_t, uint64_t> pages;
    std::set<GroupId> groups;
    bool coherent;
  };
  // Consecutive mapped pages from iova, up to size.
  uint64_t remove(DomainHandle d, vfio::dma_addr_t iova, uint64_t size) {
    auto& pages = domains_.at(d).pages;
    uint64_t done = 0;
    while (done < size && pages.erase(iova + done)) done += 4096;
    return done;
  }

  std::vector<std::string>* events_;
  std::map<GroupId, FakeGroup> groups_;
  std::map<DomainHandle, Domain> domains_;
  DomainHandle next_ = 0;
  int fail_at_ = -1, fail_err_ = 0;
  const host::Host* host_ = nullptr;
};

// The arch flush hook: finds nothing to flush. What the port flushed, and
// where, reaches a FlushRecorder.
class FakeArch : public vfio::ArchFlush {
 public:
  vfio::ArchFlushDone flush_cache_phys(vfio::phys_addr_t, uint64_t) override { return {}; }
  vfio::ArchFlushDone wbinvd_on_all_cpus() override { return {}; }
};

// Every call of the flush helper, as an event ("flush SITE PHYS BYTES") and
// in bytes by site.
class FlushRecorder : public vfio::FlushObserver {
 public:
  explicit FlushRecorder(std::vector<std::string>& events) : events_(&events) {}
  void flushed(const vfio::FlushCall& c) override {
    events_->push_back(
        fmt::format("flush {} {:#x} {:#x}", vfio::to_string(c.site), c.phys, c.bytes));
    bytes[static_cast<size_t>(c.site)] += c.bytes;
  }
  std::array<uint64_t, vfio::kFlushSiteCount> bytes{};

 private:
  std::vector<std::string>* events_;
};

}  // namespace iocsim::test
