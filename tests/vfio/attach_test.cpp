// SPDX-License-Identifier: GPL-2.0-only
// Attach and detach: domain merging, replay and its unwind, IOVA windows,
// the fgsp probe, and what the last domain takes with it.
#include <catch2/catch.hpp>

#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

FakeGroup group(const char* ops, bool snoop_control) {
  FakeGroup g;
  g.ops = ops;
  g.snoop_control = snoop_control;
  return g;
}

// A container with a coherent domain (group 1) and a non-coherent one
// (group 2), and 4 pages mapped at iova 0.
std::unique_ptr<VfioIommu> two_domains_mapped(Type1Rig& r) {
  r.iommu.add_group(1, group("vtd", true));
  r.iommu.add_group(2, group("vtd", false));
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  return c;
}

}  // namespace

TEST_CASE("a group is attached once") {
  Type1Rig r;
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  CHECK(c->attach_group(1, vfio::GroupType::iommu) == -EINVAL);
}

TEST_CASE("a compatible group joins the existing domain without replay") {
  Type1Rig r;
  r.iommu.add_group(1, group("vtd", true));
  r.iommu.add_group(2, group("vtd", true));
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  const int maps = r.iommu.map_calls;
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(r.iommu.map_calls == maps);  // merged: no probe, no replay
  CHECK(c->domain_list().size() == 1);
  CHECK(r.iommu.domain_count() == 1);
}

TEST_CASE("a domain of different coherency gets the existing mappings replayed") {
  Type1Rig r;
  r.iommu.add_group(1, group("vtd", true));
  r.iommu.add_group(2, group("vtd", false));
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(c->domain_list().size() == 2);
  CHECK(c->noncoherent_domains() == 1);
  const auto newest = c->domain_list().front().domain;
  CHECK(r.iommu.mapped_pages(newest) == 4);
  CHECK(r.host.total_pins() == 4);  // one pin per page, whatever the number of domains
  CHECK(c->pinned_pages() == 4);
}

TEST_CASE("a replay that fails is unwound and leaves the container as it was") {
  Type1Rig r("none", vfio::KernelBase::v6_18);  // no fgsp probe: the replay's map is the next
  r.iommu.add_group(1, group("vtd", true));
  r.iommu.add_group(2, group("vtd", false));
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  r.touch(0x200000, 2 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  REQUIRE(r.map(*c, 0x200000, 0x10000, 2 * P) == 0);
  r.iommu.fail_map(2, -ENOMEM);  // the second dma's replay fails
  CHECK(c->attach_group(2, vfio::GroupType::iommu) == -ENOMEM);
  CHECK(c->domain_list().size() == 1);
  CHECK(r.iommu.domain_count() == 1);
  CHECK(r.host.total_pins() == 6);
  CHECK(r.vm.locked_vm() == 6);
  CHECK(c->dma_list().size() == 2);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);  // nothing left half-attached
}

TEST_CASE("detaching a non-last domain unpins nothing, the last takes every mapping") {
  Type1Rig r;
  auto c = two_domains_mapped(r);
  c->detach_group(2);
  CHECK(c->domain_list().size() == 1);
  CHECK(r.host.total_pins() == 4);
  CHECK(c->dma_list().size() == 1);
  c->detach_group(1);
  CHECK(c->domain_list().empty());
  CHECK(c->dma_list().empty());
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.locked_vm() == 0);
  CHECK(c->dma_avail() == 65535);
  CHECK(r.iommu.domain_count() == 0);
}

TEST_CASE("windows: aperture and reserved-region conflicts, and maps outside a window") {
  Type1Rig r;
  FakeGroup narrow;
  narrow.geometry = {0, (1u << 30) - 1};
  FakeGroup msi;
  msi.reserved = {{0x10000, 0x10000, vfio::ResvType::msi}};
  FakeGroup relaxable;
  relaxable.reserved = {{0x20000, 0x1000, vfio::ResvType::direct_relaxable}};
  r.iommu.add_group(1, msi);
  r.iommu.add_group(2, narrow);
  r.iommu.add_group(3, relaxable);
  r.iommu.add_group(4, msi);
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->iova_list().size() == 2);
  CHECK(c->iova_list().front().end == 0xffff);
  r.touch(0x100000, 4 * P);
  CHECK(r.map(*c, 0x100000, 0x10000, P) == -EINVAL);  // inside the MSI window
  CHECK(r.map(*c, 0x100000, 0xf000, 2 * P) == -EINVAL);  // straddles two windows
  REQUIRE(r.map(*c, 0x100000, 0x20000, P) == 0);
  REQUIRE(r.map(*c, 0x101000, 2ull << 30, P) == 0);
  CHECK(c->attach_group(2, vfio::GroupType::iommu) == -EINVAL);  // a dma beyond its aperture
  CHECK(c->attach_group(3, vfio::GroupType::iommu) == 0);  // relaxable regions do not conflict
  REQUIRE(r.unmap(*c, 0x20000, P) == 0);
  c->detach_group(1);  // group 3 keeps the domain: the MSI hole closes again
  CHECK(c->iova_list().size() == 1);
  REQUIRE(r.map(*c, 0x102000, 0x10000, P) == 0);
  CHECK(c->attach_group(4, vfio::GroupType::iommu) == -EINVAL);  // a dma in its MSI window
}

TEST_CASE("interrupt remapping is required unless unsafe interrupts are allowed") {
  Type1Rig r;
  FakeGroup unsafe;
  unsafe.isolated_msi = false;
  r.iommu.add_group(1, unsafe);
  auto c = r.open();
  CHECK(c->attach_group(1, vfio::GroupType::iommu) == -EPERM);
  CHECK(r.iommu.domain_count() == 0);
  r.kernel.config.allow_unsafe_interrupts = true;
  CHECK(c->attach_group(1, vfio::GroupType::iommu) == 0);
}

TEST_CASE("v6.9 probes each new domain for fine-grained superpages, v6.18 does not") {
  for (auto base : {vfio::KernelBase::v6_9, vfio::KernelBase::v6_18}) {
    Type1Rig r("none", base);
    FakeGroup g;
    g.reserved = {{0, 0x1000, vfio::ResvType::reserved}};  // the probe avoids it
    r.iommu.add_group(1, g);
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    if (base == vfio::KernelBase::v6_9) {
      REQUIRE(r.events.size() >= 3);
      CHECK(r.events[0].rfind("map 1 0x2000 ", 0) == 0);  // 2-page aligned start of the window
      CHECK(r.events[0].substr(r.events[0].size() - 7) == " 0x2000");  // two pages
      CHECK(r.events[1] == "unmap 1 0x2000 0x1000");
      CHECK(r.events[2] == "unmap 1 0x3000 0x1000");  // the mock splits: not fgsp
      CHECK_FALSE(c->domain_list().front().fgsp);
      CHECK(r.host.total_pins() == 0);
    } else {
      CHECK(r.iommu.map_calls == 0);
    }
    CHECK(c->iommu_calls().map == static_cast<uint64_t>(r.iommu.map_calls));
  }
}

TEST_CASE("release unmaps, unpins and frees every domain") {
  Type1Rig r;
  auto c = two_domains_mapped(r);
  c->release();
  CHECK(c->released());
  CHECK(r.iommu.domain_count() == 0);
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.locked_vm() == 0);
}

TEST_CASE("CHECK_EXTENSION answers with and without a container") {
  Type1Rig r;
  r.iommu.add_group(1, group("vtd", true));
  r.iommu.add_group(2, group("vtd", false));
  CHECK(VfioIommu::check_extension(nullptr, vfio::VFIO_TYPE1v2_IOMMU, vfio::KernelBase::v6_9) == 1);
  CHECK(VfioIommu::check_extension(nullptr, vfio::VFIO_DMA_CC_IOMMU, vfio::KernelBase::v6_9) == 0);
  CHECK(VfioIommu::check_extension(nullptr, vfio::VFIO_UPDATE_VADDR, vfio::KernelBase::v6_9) == 0);
  CHECK(VfioIommu::check_extension(nullptr, 99, vfio::KernelBase::v6_9) == 0);
  CHECK(VfioIommu::check_extension(nullptr, vfio::VFIO_TYPE1_NESTING_IOMMU, vfio::KernelBase::v6_9) == 1);
  CHECK(VfioIommu::check_extension(nullptr, vfio::VFIO_TYPE1_NESTING_IOMMU, vfio::KernelBase::v6_18) == 0);
  auto c = r.open();
  CHECK(VfioIommu::check_extension(c.get(), vfio::VFIO_DMA_CC_IOMMU, vfio::KernelBase::v6_9) == 1);  // no domains: all coherent
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  CHECK(VfioIommu::check_extension(c.get(), vfio::VFIO_DMA_CC_IOMMU, vfio::KernelBase::v6_9) == 1);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(VfioIommu::check_extension(c.get(), vfio::VFIO_DMA_CC_IOMMU, vfio::KernelBase::v6_9) == 0);
  CHECK(VfioIommu::check_extension(c.get(), vfio::VFIO_UPDATE_VADDR, vfio::KernelBase::v6_9) == 1);
}
