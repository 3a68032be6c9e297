// SPDX-License-Identifier: GPL-2.0-only
// A kernel for type1 port tests: the host model on a fake CPU, the mock IOMMU
// core and arch flush hook, and helpers for the ioctls.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "fakes/dma_args.h"
#include "fakes/fake_cpu.h"
#include "fakes/fake_iommu.h"
#include "host/host.h"
#include "vfio/type1/vfio_iommu.h"

namespace iocsim::test {

using vfio::VfioIommu;

constexpr uint64_t P = 4096;
constexpr uint32_t RW = vfio::VFIO_DMA_MAP_FLAG_READ | vfio::VFIO_DMA_MAP_FLAG_WRITE;

// An emulated device's driver: records the dma_unmap callbacks and drops its
// pins in the range, as mdev drivers must.
struct MdevDriver : vfio::EmulatedDevice {
  explicit MdevDriver(VfioIommu& c) : container(c) {}
  void dma_unmap(vfio::dma_addr_t iova, uint64_t size) override {
    calls.emplace_back(iova, size);
    container.unpin_pages(iova, static_cast<int>(size / 4096));
  }
  VfioIommu& container;
  std::vector<std::pair<vfio::dma_addr_t, uint64_t>> calls;
};

struct Type1Rig {
  explicit Type1Rig(const char* policy = "none", vfio::KernelBase base = vfio::KernelBase::v6_9,
                    unsigned dma_entry_limit = 65535)
      : kernel(host, iommu, arch, log, config(policy, base, dma_entry_limit)) {
    kernel.current = &vm;
    kernel.flushes = &flushes;
  }

  static vfio::KernelConfig config(const char* policy, vfio::KernelBase base, unsigned limit) {
    vfio::KernelConfig c;
    c.base = base;
    c.dma_entry_limit = limit;
    c.policy = vfio::find_policy(policy);
    return c;
  }

  std::unique_ptr<VfioIommu> open(bool v2 = true) {
    int err = 0;
    auto c = VfioIommu::open(kernel, vm, next_container++,
                             v2 ? vfio::VFIO_TYPE1v2_IOMMU : vfio::VFIO_TYPE1_IOMMU, &err);
    REQUIRE(c);
    return c;
  }
  // Faults pages in for vm at va (contiguous frames unless `pa` says where).
  void touch(uint64_t va, uint64_t size, std::optional<uint64_t> pa = std::nullopt) {
    REQUIRE(host.touch(vm, va, size, true, false, pa, std::nullopt) == 0);
  }
  int map(VfioIommu& c, uint64_t va, uint64_t iova, uint64_t size, uint32_t flags = RW) {
    return c.map_dma(map_args(va, iova, size, flags));
  }
  int unmap(VfioIommu& c, uint64_t iova, uint64_t size, uint32_t flags = 0,
            uint64_t* unmapped = nullptr) {
    vfio::DmaUnmapArgs a;
    a.flags = flags;
    a.iova = iova;
    a.size = size;
    const int ret = c.unmap_dma(a);
    if (unmapped) *unmapped = a.size;
    return ret;
  }
  // Registers a driver for dma_unmap callbacks; the rig keeps it alive for
  // as long as any container it outlives.
  MdevDriver& register_mdev(VfioIommu& c) {
    drivers.push_back(std::make_unique<MdevDriver>(c));
    c.register_device(drivers.back().get());
    return *drivers.back();
  }
  size_t count(const std::string& prefix) const {
    return static_cast<size_t>(std::count_if(events.begin(), events.end(), [&](const std::string& e) {
      return e.rfind(prefix, 0) == 0;
    }));
  }
  // Index of the first event starting with `prefix` at or after `from`.
  size_t find(const std::string& prefix, size_t from = 0) const {
    for (size_t i = from; i < events.size(); ++i)
      if (events[i].rfind(prefix, 0) == 0) return i;
    return events.size();
  }

  std::vector<std::string> events;
  FakeCpu cpu;
  host::Host host{cpu, {16, uint64_t{1} << 20, 0}};
  FakeIommu iommu{events};
  FakeArch arch;
  FlushRecorder flushes{events};
  vfio::KernelLog log;
  host::Process& vm = host.add_process("vm", 1, host::kUnlimited, false);
  vfio::Kernel kernel;
  std::vector<std::unique_ptr<MdevDriver>> drivers;
  vfio::ContainerId next_container = 3;
};

}  // namespace iocsim::test
