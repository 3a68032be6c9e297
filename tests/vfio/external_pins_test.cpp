// SPDX-License-Identifier: GPL-2.0-only
// vfio_pin_pages/vfio_unpin_pages for emulated devices, their accounting with
// and without an IOMMU-backed domain, the dma_unmap callback, and the dirty
// bitmap they feed.
#include <catch2/catch.hpp>

#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

constexpr vfio::GroupId kMdevGroup = 11;

int pin(VfioIommu& c, vfio::dma_addr_t iova, int npage, int prot = vfio::IOMMU_READ) {
  std::vector<unsigned long> pages;
  return c.pin_pages(kMdevGroup, iova, npage, prot, pages);
}

}  // namespace

TEST_CASE("pin_pages checks the container, the notifier and each page's mapping") {
  Type1Rig r;
  auto v1 = r.open(false);
  CHECK(pin(*v1, 0, 1) == -EACCES);  // v2 only

  auto c = r.open();
  REQUIRE(c->attach_group(kMdevGroup, vfio::GroupType::emulated) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 2 * P, vfio::VFIO_DMA_MAP_FLAG_READ) == 0);
  CHECK(pin(*c, 0, 1) == -EINVAL);  // nobody registered for dma_unmap
  r.register_mdev(*c);
  CHECK(pin(*c, 0, 1, vfio::IOMMU_READ | vfio::IOMMU_WRITE) == -EPERM);
  CHECK(pin(*c, P, 2) == -EINVAL);  // the second page is not mapped: the first is unwound
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.locked_vm() == 0);
  CHECK(pin(*c, 0, 2) == 2);
  CHECK(r.host.total_pins() == 2);
}

TEST_CASE("without an IOMMU domain the external pins are what is accounted, once per page") {
  Type1Rig r;
  auto c = r.open();
  REQUIRE(c->attach_group(kMdevGroup, vfio::GroupType::emulated) == 0);
  r.register_mdev(*c);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  CHECK(r.host.total_pins() == 0);  // no domain: MAP_DMA pins nothing
  CHECK(pin(*c, 0, 2) == 2);
  CHECK(pin(*c, P, 2) == 2);        // page 1 is pinned again: a reference, not a pin
  CHECK(r.host.total_pins() == 3);
  CHECK(r.vm.locked_vm() == 3);
  c->unpin_pages(0, 1);
  CHECK(r.vm.locked_vm() == 2);
  c->unpin_pages(P, 1);             // drops the second reference only
  CHECK(r.vm.locked_vm() == 2);
  CHECK(r.log.warnings() == 0);
  c->unpin_pages(8 * P, 1);         // outside every mapping
  CHECK(r.log.warnings() == 1);
}

TEST_CASE("with an IOMMU domain the pages are already accounted by MAP_DMA") {
  Type1Rig r;
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(kMdevGroup, vfio::GroupType::emulated) == 0);
  r.register_mdev(*c);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  CHECK(r.vm.locked_vm() == 4);
  CHECK(pin(*c, 0, 4) == 4);
  CHECK(r.vm.locked_vm() == 4);
  CHECK(r.host.total_pins() == 8);  // the mapping's pins and the driver's
}

TEST_CASE("unmapping a range with external pins asks the driver to drop them first") {
  Type1Rig r;
  auto c = r.open();
  REQUIRE(c->attach_group(kMdevGroup, vfio::GroupType::emulated) == 0);
  MdevDriver& dev = r.register_mdev(*c);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  REQUIRE(pin(*c, 2 * P, 1) == 1);
  uint64_t unmapped = 0;
  CHECK(r.unmap(*c, 0, 4 * P, 0, &unmapped) == 0);
  CHECK(unmapped == 4 * P);
  REQUIRE(dev.calls.size() == 1);
  CHECK(dev.calls[0] == std::make_pair(vfio::dma_addr_t{0}, uint64_t{4 * P}));
  CHECK(r.host.total_pins() == 0);
  CHECK(r.vm.locked_vm() == 0);
}

TEST_CASE("pages pinned externally are reported dirty while tracking") {
  Type1Rig r;
  auto c = r.open();
  REQUIRE(c->attach_group(kMdevGroup, vfio::GroupType::emulated) == 0);
  r.register_mdev(*c);
  r.touch(0x100000, 8 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 8 * P) == 0);

  vfio::DirtyPagesArgs start;
  start.flags = vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
  REQUIRE(c->dirty_pages(start) == 0);
  REQUIRE(pin(*c, 3 * P, 2) == 2);

  vfio::DirtyPagesArgs get;
  get.argsz = vfio::kDirtyMinsz + vfio::kDirtyRangeSize;
  get.flags = vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
  get.iova = 0;
  get.size = 8 * P;
  get.bitmap.pgsize = P;
  get.bitmap.size = 8;
  REQUIRE(c->dirty_pages(get) == 0);
  // Only the emulated group is attached and it has pinned: its scope is the
  // pinned pages, so exactly those are dirty.
  CHECK(get.bitmap.set_bits() == std::vector<uint64_t>{3, 4});
}
