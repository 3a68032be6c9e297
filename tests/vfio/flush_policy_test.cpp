// SPDX-License-Identifier: GPL-2.0-only
// The flush points of the posted series (docs/kernel-behaviour.md 11.3) and
// what upstream does instead.
#include <catch2/catch.hpp>

#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

FakeGroup coherent() {
  FakeGroup g;
  g.snoop_control = true;
  return g;
}

FakeGroup noncoherent(const char* ops = "mock") {
  FakeGroup g;
  g.ops = ops;
  g.snoop_control = false;
  return g;
}

uint64_t flushed(const Type1Rig& r, vfio::FlushSite site) {
  return r.flushes.bytes[static_cast<size_t>(site)];
}

}  // namespace

TEST_CASE("posted-v1 flushes each chunk before it is mapped, and again before unpin") {
  Type1Rig r("posted-v1", vfio::KernelBase::v6_18);
  r.iommu.add_group(1, noncoherent());
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  r.events.clear();
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].rfind("flush map ", 0) == 0);
  CHECK(r.events[1].rfind("map 1 0x0 ", 0) == 0);
  CHECK(flushed(r, vfio::FlushSite::map) == 4 * P);

  r.iommu.watch_pins(r.host);
  r.events.clear();
  REQUIRE(r.unmap(*c, 0, 4 * P) == 0);
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[0].rfind("unmap_fast", 0) == 0);
  CHECK(r.events[1] == "sync 1 pins=4");
  CHECK(r.events[2].rfind("flush unpin ", 0) == 0);  // after the sync, before the put
  CHECK(flushed(r, vfio::FlushSite::unpin) == 4 * P);
}

TEST_CASE("upstream flushes nothing, nor does posted-v1 without a non-coherent domain") {
  for (const char* policy : {"none", "posted-v1"}) {
    Type1Rig r(policy, vfio::KernelBase::v6_18);
    r.iommu.add_group(1, std::string(policy) == "none" ? noncoherent() : coherent());
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, 4 * P);
    REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
    REQUIRE(r.unmap(*c, 0, 4 * P) == 0);
    CHECK(r.count("flush") == 0);
  }
}

TEST_CASE("the flush at unpin is lazy: after the non-coherent domain has gone") {
  // The series' own example: map coherent, map non-coherent (flush), unmap
  // from the non-coherent domain, unmap from the coherent one, unpin (flush).
  Type1Rig r("posted-v1", vfio::KernelBase::v6_18);
  r.iommu.add_group(1, coherent());
  r.iommu.add_group(2, noncoherent());
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  CHECK(flushed(r, vfio::FlushSite::map) == 4 * P);
  c->detach_group(2);
  CHECK(r.count("flush unpin") == 0);  // no flush at detach
  CHECK(c->noncoherent_domains() == 0);
  REQUIRE(r.unmap(*c, 0, 4 * P) == 0);
  CHECK(flushed(r, vfio::FlushSite::unpin) == 4 * P);  // the sticky flag remembered

  r.touch(0x200000, 4 * P);
  REQUIRE(r.map(*c, 0x200000, 0x100000, 4 * P) == 0);
  REQUIRE(r.unmap(*c, 0x100000, 4 * P) == 0);
  // Maps made after the last non-coherent domain left are not flushed at all.
  CHECK(flushed(r, vfio::FlushSite::map) == 4 * P);
  CHECK(flushed(r, vfio::FlushSite::unpin) == 4 * P);
}

TEST_CASE("replay flushes what a new non-coherent domain will reach, once per dma") {
  Type1Rig r("posted-v1", vfio::KernelBase::v6_18);
  r.iommu.add_group(1, coherent());
  r.iommu.add_group(2, noncoherent("mock"));
  r.iommu.add_group(3, noncoherent("other"));  // cannot merge with group 2's domain
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 4 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 4 * P) == 0);
  CHECK(r.count("flush") == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(flushed(r, vfio::FlushSite::replay) == 4 * P);
  const size_t flush_at = r.find("flush replay");
  CHECK(r.find("map 2 ", flush_at) < r.events.size());  // flushed before the replayed map
  REQUIRE(c->attach_group(3, vfio::GroupType::iommu) == 0);
  CHECK(flushed(r, vfio::FlushSite::replay) == 4 * P);  // already marked: not again
  CHECK(c->has_noncoherent_domain());
}

TEST_CASE("v6.9: the fgsp probe pages are flushed before and after a non-coherent probe") {
  Type1Rig r("posted-v1", vfio::KernelBase::v6_9);
  r.iommu.add_group(1, noncoherent());
  r.iommu.add_group(2, coherent());
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(r.events.size() == 5);
  CHECK(r.events[0].rfind("flush fgsp ", 0) == 0);
  CHECK(r.events[1].rfind("map 1 ", 0) == 0);
  CHECK(r.events[4].rfind("flush fgsp ", 0) == 0);
  CHECK(flushed(r, vfio::FlushSite::fgsp) == 4 * P);  // 2 pages, twice
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  CHECK(flushed(r, vfio::FlushSite::fgsp) == 4 * P);  // a coherent probe needs none
}

TEST_CASE("a failed map unwinds through the flushing unpin path") {
  Type1Rig r("posted-v1", vfio::KernelBase::v6_18);
  r.iommu.add_group(1, noncoherent());
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, P, 0x1000000);
  r.touch(0x101000, P, 0x3000000);
  r.iommu.fail_map(2, -ENOMEM);  // the second chunk
  CHECK(r.map(*c, 0x100000, 0, 2 * P) == -ENOMEM);
  CHECK(r.count("flush map") == 2);    // both chunks were flushed before their map
  CHECK(r.count("flush unpin") == 2);  // the failed chunk, then the mapped one on removal
  CHECK(r.host.total_pins() == 0);
}
