// SPDX-License-Identifier: GPL-2.0-only
// iommufd's VFIO compatibility layer against the mock IOMMU: what it takes
// and refuses of the type1 uAPI, how it pins and charges, and where patch
// 5/5 flushes.
#include <catch2/catch.hpp>

#include "iommufd/iommufd_rig.h"

using namespace iocsim;
using namespace iocsim::test;

TEST_CASE("a compat map pins each page once and charges the user not the mm") {
  IommufdRig r;
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * kPage);
  REQUIRE(r.map(*c, 0x100000, 0x10000, 4 * kPage) == 0);
  CHECK(c->pinned_pages() == 4);
  CHECK(r.vm.user_locked_vm() == 4);
  CHECK(r.vm.locked_vm() == 0);
  REQUIRE(c->domains().size() == 1);
  CHECK(r.iommu.mapped_pages(c->domains().front()) == 4);
  uint64_t unmapped = 0;
  REQUIRE(r.unmap(*c, 0x10000, 4 * kPage, 0, &unmapped) == 0);
  CHECK(unmapped == 4 * kPage);
  CHECK(c->pinned_pages() == 0);
  CHECK(r.vm.user_locked_vm() == 0);
  CHECK(r.host.total_pins() == 0);
}

TEST_CASE("MAP takes only READ and WRITE and UNMAP only ALL") {
  IommufdRig r;
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, kPage);
  CHECK(r.map(*c, 0x100000, 0, kPage, kReadWrite | vfio::VFIO_DMA_MAP_FLAG_VADDR) == -EINVAL);
  REQUIRE(r.map(*c, 0x100000, 0, kPage) == 0);
  CHECK(r.unmap(*c, 0, kPage, vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) == -EINVAL);
  CHECK(r.unmap(*c, 0, kPage, vfio::VFIO_DMA_UNMAP_FLAG_VADDR) == -EINVAL);
  CHECK(r.unmap(*c, 0, kPage, vfio::VFIO_DMA_UNMAP_FLAG_ALL) == -EINVAL);  // range with ALL
  vfio::DirtyPagesArgs dirty;
  CHECK(c->dirty_pages(dirty) == -ENOTTY);
  uint64_t unmapped = 0;
  CHECK(r.unmap(*c, 0, 0, vfio::VFIO_DMA_UNMAP_FLAG_ALL, &unmapped) == 0);
  CHECK(unmapped == kPage);
  CHECK(c->check_extension(vfio::VFIO_UPDATE_VADDR) == 0);
  CHECK(c->check_extension(vfio::VFIO_UNMAP_ALL) == 1);
}

TEST_CASE("type1v2 refuses to split an area and type1 cuts it") {
  for (const bool v2 : {true, false}) {
    IommufdRig r;
    auto c = r.open(v2);
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, 4 * kPage);
    REQUIRE(r.map(*c, 0x100000, 0x10000, 4 * kPage) == 0);
    uint64_t unmapped = 0;
    const int ret = r.unmap(*c, 0x11000, kPage, 0, &unmapped);
    if (v2) {
      CHECK(ret == -ENOENT);
      CHECK(c->mappings().size() == 1);
      CHECK(c->pinned_pages() == 4);
    } else {
      // Large IOPTEs are off in type1 mode: pages map one by one.
      CHECK(r.count("map ") == 4);
      CHECK(ret == 0);
      CHECK(unmapped == kPage);
      CHECK(c->mappings().size() == 2);
      CHECK(c->pinned_pages() == 3);
      CHECK(r.vm.user_locked_vm() == 3);
    }
  }
}

TEST_CASE("an unmap of an empty range is ENOENT on v6.9 and nothing on v6.18") {
  for (const auto base : {vfio::KernelBase::v6_9, vfio::KernelBase::v6_18}) {
    IommufdRig r("none", base);
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    uint64_t unmapped = 1;
    const int ret = r.unmap(*c, 0x10000, kPage, 0, &unmapped);
    CHECK(ret == (base == vfio::KernelBase::v6_9 ? -ENOENT : 0));
    CHECK(unmapped == 0);
  }
}

TEST_CASE("a map before any device pins nothing until a domain is filled") {
  IommufdRig r;
  auto c = r.open();
  r.touch(0x100000, 4 * kPage);
  REQUIRE(r.map(*c, 0x100000, 0x10000, 4 * kPage) == 0);
  CHECK(c->pinned_pages() == 0);
  CHECK(r.vm.user_locked_vm() == 0);
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  CHECK(c->pinned_pages() == 4);
  CHECK(r.vm.user_locked_vm() == 4);
  CHECK(r.iommu.mapped_pages(c->domains().front()) == 4);
}

TEST_CASE("a map over RLIMIT_MEMLOCK pins then unwinds everything") {
  IommufdRig r("none", vfio::KernelBase::v6_9, 2 * kPage);
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * kPage);
  CHECK(r.map(*c, 0x100000, 0x10000, 4 * kPage) == -ENOMEM);
  CHECK(c->mappings().empty());
  CHECK(c->pinned_pages() == 0);
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.user_locked_vm() == 0);
  CHECK(r.iommu.mapped_pages(c->domains().front()) == 0);
}

TEST_CASE("a device that cannot enforce coherency gets its own non-coherent domain") {
  IommufdRig r;
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  CHECK(c->check_extension(vfio::VFIO_DMA_CC_IOMMU) == 1);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(c->domains().size() == 2);
  CHECK(c->noncoherent_domains() == 1);
  CHECK(c->has_noncoherent_domain());
  CHECK(c->check_extension(vfio::VFIO_DMA_CC_IOMMU) == 0);
  c->detach_group(2);
  CHECK(c->domains().size() == 1);
  CHECK_FALSE(c->has_noncoherent_domain());
}

TEST_CASE("posted-v1 flushes at the fill of a non-coherent domain and lazily at unpin") {
  for (const char* policy : {"none", "posted-v1", "map-only"}) {
    IommufdRig r(policy);
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, 4 * kPage, 0x1000000);
    REQUIRE(r.map(*c, 0x100000, 0x10000, 4 * kPage) == 0);
    // Only coherent domains: no flush at map.
    CHECK(r.count("flush") == 0);
    REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
    const bool flushes = std::string(policy) != "none";
    // The new domain is filled a page at a time through the helper.
    CHECK(r.count("flush replay") == (flushes ? 4u : 0u));
    r.touch(0x200000, 2 * kPage, 0x2000000);
    REQUIRE(r.map(*c, 0x200000, 0x20000, 2 * kPage) == 0);
    CHECK(r.count("flush map") == (flushes ? 2u : 0u));
    REQUIRE(r.unmap(*c, 0, 0, vfio::VFIO_DMA_UNMAP_FLAG_ALL) == 0);
    // Lazily before unpin, a contiguous run at a time: one call per area.
    const bool at_unpin = std::string(policy) == "posted-v1";
    CHECK(r.count("flush unpin 0x1000000 0x4000") == (at_unpin ? 1u : 0u));
    CHECK(r.count("flush unpin 0x2000000 0x2000") == (at_unpin ? 1u : 0u));
    CHECK(r.host.total_pins() == 0);
  }
}

TEST_CASE("eager-unmap flushes when the last non-coherent domain goes") {
  IommufdRig r("eager-unmap");
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * kPage, 0x1000000);
  REQUIRE(r.map(*c, 0x100000, 0x10000, 4 * kPage) == 0);
  c->detach_group(2);
  CHECK(r.count("flush unpin 0x1000000 0x4000") == 1);  // the leave point counts as unpin
  REQUIRE(r.unmap(*c, 0x10000, 4 * kPage) == 0);
  CHECK(r.count("flush unpin") == 1);  // unmarked: not again at unpin
}

TEST_CASE("emulated devices and PFNMAP memory are refused") {
  IommufdRig r;
  auto c = r.open();
  CHECK(c->attach_group(9, vfio::GroupType::emulated) == -EOPNOTSUPP);
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(r.host.mmio(r.vm, 0x400000, kPage, 0x900000000) == 0);
  CHECK(r.map(*c, 0x400000, 0, kPage) < 0);
  CHECK(c->mappings().empty());
}

TEST_CASE("GET_INFO reports dma_avail of U32_MAX then the IOVA holes") {
  IommufdRig r;
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  vfio::IommuInfo info;
  REQUIRE(c->get_info(16, info) == 0);
  CHECK(info.argsz == 24 + 12 + 16 + 16);  // one hole: the aperture
  CHECK(info.caps.empty());
  REQUIRE(c->get_info(info.argsz, info) == 0);
  REQUIRE(info.caps.size() == 2);
  CHECK(info.caps[0].avail == UINT32_MAX);
  REQUIRE(info.caps[1].ranges.size() == 1);
  CHECK(info.caps[1].ranges[0] == std::make_pair(uint64_t{0}, (uint64_t{1} << 48) - 1));
  CHECK(info.iova_pgsizes == 4096);
  CHECK(info.cap_offset == 24u);
}
