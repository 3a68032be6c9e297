// SPDX-License-Identifier: GPL-2.0-only
// VFIO_IOMMU_MAP_DMA: validation order, limits, pinning and its unwinds.
#include <catch2/catch.hpp>

#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

TEST_CASE("MAP_DMA checks its arguments in the kernel's order, per base") {
  const uint64_t top = 0xFFFFFFFFFFFFF000ull;
  SECTION("v6.9") {
    Type1Rig r("none", vfio::KernelBase::v6_9);
    auto c = r.open();
    CHECK(r.map(*c, 0, 0, P, 0) == -EINVAL);  // no READ/WRITE/VADDR
    CHECK(r.map(*c, 0, 0, P, vfio::VFIO_DMA_MAP_FLAG_READ | vfio::VFIO_DMA_MAP_FLAG_VADDR) == -EINVAL);
    CHECK(r.map(*c, 0, 0, 0) == -EINVAL);
    CHECK(r.map(*c, 0, 0x800, P) == -EINVAL);
    CHECK(r.map(*c, 0, top, 2 * P) == -EINVAL);  // wraps
    CHECK(r.map(*c, 0, top, 2 * P, 0) == -EINVAL);  // flags checked first, same errno
  }
  SECTION("v6.18") {
    Type1Rig r("none", vfio::KernelBase::v6_18);
    auto c = r.open();
    CHECK(r.map(*c, 0, top, 2 * P) == -EOVERFLOW);
    CHECK(r.map(*c, 0, top, 2 * P, 0) == -EOVERFLOW);  // wrap is checked before the flags
    CHECK(r.map(*c, 0, 0, 0, 0) == -EINVAL);
  }
}

TEST_CASE("the ioctl wrapper rejects a short argsz and unknown flags") {
  Type1Rig r;
  auto c = r.open();
  vfio::DmaMapArgs a;
  a.flags = RW;
  a.size = P;
  a.argsz = 31;
  CHECK(c->map_dma(a) == -EINVAL);
  a.argsz = 32;
  a.flags = RW | 8;
  CHECK(c->map_dma(a) == -EINVAL);
}

TEST_CASE("overlaps, the entry limit and VADDR without a mapping") {
  Type1Rig r("none", vfio::KernelBase::v6_9, 2);
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 8 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 2 * P) == 0);
  CHECK(r.map(*c, 0x102000, P, 2 * P) == -EEXIST);
  REQUIRE(r.map(*c, 0x102000, 2 * P, 2 * P) == 0);
  CHECK(r.map(*c, 0x104000, 4 * P, P) == -ENOSPC);
  CHECK(c->dma_avail() == 0);
  CHECK(r.map(*c, 0x104000, 8 * P, P, vfio::VFIO_DMA_MAP_FLAG_VADDR) == -ENOENT);
  REQUIRE(r.unmap(*c, 2 * P, 2 * P) == 0);
  CHECK(r.map(*c, 0x104000, 4 * P, P) == 0);
}

TEST_CASE("pinned memory is mapped in physically contiguous chunks") {
  Type1Rig r;
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, P, 0x1000000);
  r.touch(0x101000, 2 * P, 0x2000000);
  const int before = r.iommu.map_calls;
  REQUIRE(r.map(*c, 0x100000, 0x40000, 3 * P) == 0);
  CHECK(r.iommu.map_calls - before == 2);
  CHECK(r.events.back() == "map 1 0x41000 0x2000000 0x2000");
  CHECK(r.vm.locked_vm() == 3);
  CHECK(c->pinned_pages() == 3);
  CHECK(r.host.total_pins() == 3);
}

TEST_CASE("a map over RLIMIT_MEMLOCK fails and leaves nothing pinned or charged") {
  Type1Rig r;
  host::Process& small = r.host.add_process("small", 2, 4 * P, false);
  r.kernel.current = &small;
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(r.host.touch(small, 0x100000, 8 * P, true, false, std::nullopt, std::nullopt) == 0);
  CHECK(r.map(*c, 0x100000, 0, 8 * P) == -ENOMEM);
  CHECK(r.host.total_pins() == 0);
  CHECK(small.locked_vm() == 0);
  CHECK(c->dma_list().empty());
  CHECK(c->dma_avail() == 65535);
  REQUIRE_FALSE(r.log.lines().empty());
  CHECK(r.log.lines().back().find("RLIMIT_MEMLOCK (16384) exceeded") != std::string::npos);

  host::Process& capable = r.host.add_process("capable", 3, 4 * P, true);
  r.kernel.current = &capable;
  REQUIRE(r.host.touch(capable, 0x100000, 8 * P, true, false, std::nullopt, std::nullopt) == 0);
  CHECK(r.map(*c, 0x100000, 0, 8 * P) == 0);  // CAP_IPC_LOCK bypasses the limit...
  CHECK(capable.locked_vm() == 8);             // ...but the pages are still counted
}

TEST_CASE("a map that fails in one domain is undone in the domains already mapped") {
  Type1Rig r;
  FakeGroup a, b;
  a.ops = "mock-a";
  b.ops = "mock-b";
  r.iommu.add_group(1, a);
  r.iommu.add_group(2, b);
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  r.events.clear();
  r.iommu.fail_map(2, -ENOMEM);
  CHECK(r.map(*c, 0x100000, 0, 4 * P) == -ENOMEM);
  // Newest domain first; the failure in the older one undoes the newer.
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0].rfind("map 2 ", 0) == 0);
  CHECK(r.events[1].rfind("map 1 ", 0) == 0);
  CHECK(r.events[2] == "unmap 2 0x0 0x4000");
  CHECK(r.iommu.mapped_pages(1) == 0);
  CHECK(r.iommu.mapped_pages(2) == 0);
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.locked_vm() == 0);
  CHECK(c->dma_list().empty());
}

TEST_CASE("type1's own bookkeeping is per page on v6.9 and per contiguous run on v6.18") {
  for (const auto base : {vfio::KernelBase::v6_9, vfio::KernelBase::v6_18}) {
    const bool v6_18 = base == vfio::KernelBase::v6_18;
    INFO((v6_18 ? "v6.18" : "v6.9"));
    Type1Rig r("none", base);
    r.kernel.config.bookkeeping_picos = 1000;
    r.iommu.add_group(1, {});
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, 8 * P, 0x1000000);
    r.touch(0x108000, 2 * P, 0x2000000);
    uint64_t before = r.cpu.computed;
    REQUIRE(r.map(*c, 0x100000, 0x40000, 10 * P) == 0);
    // Two chunks: 8 pages and 2.
    CHECK(r.cpu.computed - before == (v6_18 ? 2 : 10) * 1000);
    CHECK(r.vm.locked_vm() == 10);
    CHECK(r.host.total_pins() == 10);
    before = r.cpu.computed;
    REQUIRE(r.unmap(*c, 0x40000, 10 * P) == 0);
    // v6.9 looks each page up in the pfn list; v6.18 counts a region's at once.
    CHECK(r.cpu.computed - before == (v6_18 ? 2 : 10) * 1000);
    CHECK(r.vm.locked_vm() == 0);
    CHECK(r.host.total_pins() == 0);
  }
}
