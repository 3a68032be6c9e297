// SPDX-License-Identifier: GPL-2.0-only
// A kernel for iommufd port tests: the host model on a fake CPU, the mock
// IOMMU core and arch flush hook (tests/fakes), and a container opened on
// /dev/iommu through the VFIO compatibility layer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fakes/dma_args.h"
#include "fakes/fake_cpu.h"
#include "fakes/fake_iommu.h"
#include "host/host.h"
#include "iommufd/vfio_compat.h"

namespace iocsim::test {

using iommufd::VfioCompat;

constexpr uint64_t kPage = 4096;
constexpr uint32_t kReadWrite = vfio::VFIO_DMA_MAP_FLAG_READ | vfio::VFIO_DMA_MAP_FLAG_WRITE;

struct IommufdRig {
  explicit IommufdRig(const char* policy = "none", vfio::KernelBase base = vfio::KernelBase::v6_9,
                      uint64_t memlock = host::kUnlimited)
      : vm(host.add_process("vm", 1, memlock, false)),
        kernel(host, iommu, arch, log, config(policy, base)) {
    kernel.current = &vm;
    kernel.flushes = &flushes;
    FakeGroup coherent;
    FakeGroup noncoherent;
    // Another IOMMU: a domain of one does not take the other's devices.
    noncoherent.ops = "mock-gfx";
    noncoherent.snoop_control = false;
    iommu.add_group(1, coherent);
    iommu.add_group(2, noncoherent);
  }

  static vfio::KernelConfig config(const char* policy, vfio::KernelBase base) {
    vfio::KernelConfig c;
    c.base = base;
    c.policy = vfio::find_policy(policy);
    return c;
  }

  std::unique_ptr<VfioCompat> open(bool v2 = true) {
    int err = 0;
    auto c = VfioCompat::open(kernel, vm, 3, v2 ? vfio::VFIO_TYPE1v2_IOMMU : vfio::VFIO_TYPE1_IOMMU,
                              &err);
    REQUIRE(c);
    return c;
  }
  // Faults pages in for vm at va, on frames from `pa` (contiguous) if given.
  void touch(uint64_t va, uint64_t size, std::optional<uint64_t> pa = std::nullopt) {
    REQUIRE(host.touch(vm, va, size, true, false, pa, std::nullopt) == 0);
  }
  int map(VfioCompat& c, uint64_t va, uint64_t iova, uint64_t size, uint32_t flags = kReadWrite) {
    return c.map_dma(map_args(va, iova, size, flags));
  }
  int unmap(VfioCompat& c, uint64_t iova, uint64_t size, uint32_t flags = 0,
            uint64_t* unmapped = nullptr) {
    vfio::DmaUnmapDirtyArgs a;
    a.unmap.flags = flags;
    a.unmap.iova = iova;
    a.unmap.size = size;
    const int ret = c.unmap_dma(a);
    if (unmapped) *unmapped = a.unmap.size;
    return ret;
  }
  size_t count(const std::string& prefix) const {
    size_t n = 0;
    for (const std::string& e : events) n += e.rfind(prefix, 0) == 0;
    return n;
  }

  std::vector<std::string> events;
  FakeCpu cpu;
  host::Host host{cpu, {16, uint64_t{1} << 20, 0}};
  FakeIommu iommu{events};
  FakeArch arch;
  FlushRecorder flushes{events};
  vfio::KernelLog log;
  host::Process& vm;
  vfio::Kernel kernel;
};

}  // namespace iocsim::test
