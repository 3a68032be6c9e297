// SPDX-License-Identifier: GPL-2.0-only
// VFIO_IOMMU_UNMAP_DMA: v1 versus v2 granularity, ALL, VADDR, and unpinning
// only after the IOTLB sync.
#include <catch2/catch.hpp>

#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

std::unique_ptr<VfioIommu> two_mappings(Type1Rig& r, bool v2) {
  r.iommu.add_group(1, {});
  auto c = r.open(v2);
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 6 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  REQUIRE(r.map(*c, 0x104000, 4 * P, 2 * P) == 0);
  return c;
}

}  // namespace

TEST_CASE("v2 unmap must not bisect a mapping, and may remove several") {
  Type1Rig r;
  auto c = two_mappings(r, true);
  uint64_t unmapped = 99;
  CHECK(r.unmap(*c, P, P, 0, &unmapped) == -EINVAL);
  CHECK(unmapped == P);  // nothing is copied back on error: the request's own size stays
  CHECK(r.unmap(*c, 0, 2 * P) == -EINVAL);
  CHECK(r.unmap(*c, 0, 5 * P) == -EINVAL);
  CHECK(r.unmap(*c, 8 * P, P, 0, &unmapped) == 0);
  CHECK(unmapped == 0);  // nothing in the range
  CHECK(r.unmap(*c, 0, 6 * P, 0, &unmapped) == 0);
  CHECK(unmapped == 6 * P);
  CHECK(r.host.total_pins() == 0);
}

TEST_CASE("v1 unmap succeeds with 0 inside a mapping and removes it whole from its start") {
  Type1Rig r;
  auto c = two_mappings(r, false);
  uint64_t unmapped = 99;
  CHECK(r.unmap(*c, P, P, 0, &unmapped) == 0);
  CHECK(unmapped == 0);
  CHECK(r.unmap(*c, 0, P, 0, &unmapped) == 0);
  CHECK(unmapped == 4 * P);  // more than requested
  CHECK(c->dma_list().size() == 1);
}

TEST_CASE("UNMAP_ALL takes iova = size = 0 and removes everything") {
  Type1Rig r;
  auto c = two_mappings(r, true);
  CHECK(r.unmap(*c, 0, P, vfio::VFIO_DMA_UNMAP_FLAG_ALL) == -EINVAL);
  uint64_t unmapped = 0;
  CHECK(r.unmap(*c, 0, 0, vfio::VFIO_DMA_UNMAP_FLAG_ALL, &unmapped) == 0);
  CHECK(unmapped == 6 * P);
  CHECK(c->dma_list().empty());
  CHECK(c->dma_avail() == 65535);
  CHECK(r.unmap(*c, 0, P, vfio::VFIO_DMA_UNMAP_FLAG_ALL | vfio::VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) ==
        -EINVAL);
}

TEST_CASE("pages are unpinned only after the IOTLB sync") {
  Type1Rig r;
  auto c = two_mappings(r, true);
  r.iommu.watch_pins(r.host);
  r.events.clear();
  REQUIRE(r.unmap(*c, 0, 4 * P) == 0);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0] == "unmap_fast 1 0x0 0x4000");
  CHECK(r.events[1] == "sync 1 pins=6");  // still pinned when the IOTLB is flushed
  CHECK(r.host.total_pins() == 2);
  CHECK(r.vm.locked_vm() == 2);
}

TEST_CASE("the IOTLB is synced every 512 fast-unmapped regions") {
  Type1Rig r;
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  // 600 pages, none physically next to another: 600 regions.
  for (uint64_t i = 0; i < 600; ++i) r.touch(0x1000000 + i * P, P, 0x10000000 + 2 * i * P);
  REQUIRE(r.map(*c, 0x1000000, 0, 600 * P) == 0);
  const int syncs = r.iommu.syncs;
  REQUIRE(r.unmap(*c, 0, 600 * P) == 0);
  CHECK(r.iommu.syncs - syncs == 2);  // at 512, then the last 88
  CHECK(r.count("unmap_fast") == 600);
  CHECK(r.host.total_pins() == 0);
}

TEST_CASE("VADDR invalidates without unmapping, rolls back on a second invalidation, re-owns") {
  Type1Rig r;
  auto c = two_mappings(r, true);
  uint64_t unmapped = 0;
  REQUIRE(r.unmap(*c, 4 * P, 2 * P, vfio::VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped) == 0);
  CHECK(unmapped == 2 * P);
  CHECK(c->vaddr_invalid_count() == 1);
  CHECK(r.iommu.mapped_pages(1) == 6);  // DMA continues
  r.iommu.add_group(2, {});
  CHECK(c->attach_group(2, vfio::GroupType::iommu) == -EBUSY);

  // Covering both: the first gets marked, the second is already invalid.
  CHECK(r.unmap(*c, 0, 6 * P, vfio::VFIO_DMA_UNMAP_FLAG_VADDR) == -EINVAL);
  CHECK(c->vaddr_invalid_count() == 1);  // the first was rolled back

  CHECK(r.map(*c, 0x300000, 0, 4 * P, vfio::VFIO_DMA_MAP_FLAG_VADDR) == -EINVAL);  // still valid
  host::Process& other = r.host.add_process("other", 2, host::kUnlimited, false);
  r.kernel.current = &other;
  REQUIRE(r.map(*c, 0x300000, 4 * P, 2 * P, vfio::VFIO_DMA_MAP_FLAG_VADDR) == 0);
  CHECK(c->vaddr_invalid_count() == 0);
  CHECK(other.locked_vm() == 2);  // the new owner is charged...
  CHECK(r.vm.locked_vm() == 4);   // ...and the old one uncharged
  CHECK(c->attach_group(2, vfio::GroupType::iommu) == 0);
}

TEST_CASE("a mapping ending at 2^64-1: v6.9 never walks it (a leak), v6.18 does") {
  for (auto base : {vfio::KernelBase::v6_9, vfio::KernelBase::v6_18}) {
    Type1Rig r("none", base);
    FakeGroup whole;
    whole.geometry = {0, UINT64_MAX};
    r.iommu.add_group(1, whole);
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, 2 * P);
    const uint64_t top = 0xFFFFFFFFFFFFE000ull;
    REQUIRE(r.map(*c, 0x100000, top, 2 * P) == 0);  // ends exactly at 2^64-1
    const auto domain = c->domain_list().front().domain;
    CHECK(r.iommu.mapped_pages(domain) == 2);
    uint64_t unmapped = 0;
    REQUIRE(r.unmap(*c, top, 2 * P, 0, &unmapped) == 0);
    CHECK(unmapped == 2 * P);
    CHECK(c->dma_list().empty());
    if (base == vfio::KernelBase::v6_9) {
      // iova + size wrapped to 0: the walk never started.
      CHECK(r.iommu.mapped_pages(domain) == 2);
      CHECK(r.host.total_pins() == 2);
    } else {
      CHECK(r.iommu.mapped_pages(domain) == 0);
      CHECK(r.host.total_pins() == 0);
      CHECK(r.vm.locked_vm() == 0);
    }
  }
}
