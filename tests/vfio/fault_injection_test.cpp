// SPDX-License-Identifier: GPL-2.0-only
// Injecting a failure at every call of every kind an operation makes: the
// operation either succeeds or leaves pins, locked_vm, translations, the
// mapping list and dma_avail exactly as they were.
#include <catch2/catch.hpp>

#include "analysis/kernel_state.h"
#include "vfio/type1_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

analysis::KernelState state(const Type1Rig& r, const VfioIommu& c) {
  return analysis::capture({{"c", &c}}, r.host, r.iommu.digests());
}

// Two domains (so maps are undone across domains) and three physically
// separate chunks of guest memory at 0x100000.
std::unique_ptr<VfioIommu> prepared(Type1Rig& r) {
  FakeGroup a, b;
  a.ops = "mock-a";
  b.ops = "mock-b";
  b.snoop_control = false;
  r.iommu.add_group(1, a);
  r.iommu.add_group(2, b);
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, P, 0x1000000);
  r.touch(0x101000, 2 * P, 0x2000000);
  r.touch(0x103000, P, 0x3000000);
  return c;
}

struct Sweep {
  int failures = 0;   // injections that made the operation fail
  int successes = 0;  // injections the operation survived (fallbacks)
};

// Runs `operation` once per call index of `kind` until an injection no
// longer fires; every failing run must restore the state.
template <typename Setup, typename Operation>
Sweep sweep(vfio::FaultKind kind, int err, Setup setup, Operation operation) {
  Sweep result;
  for (unsigned call = 1;; ++call) {
    Type1Rig r("posted-v1", vfio::KernelBase::v6_9);
    auto c = setup(r);
    const analysis::KernelState before = state(r, *c);
    r.kernel.faults.arm(kind, call, err);
    const int ret = operation(r, *c);
    if (r.kernel.faults.pending()) break;  // no call number `call`: swept them all
    if (ret) {
      ++result.failures;
      INFO(vfio::to_string(kind) << " call " << call << " failed with " << ret);
      CHECK(analysis::differences(before, state(r, *c)).empty());
    } else {
      ++result.successes;
    }
  }
  return result;
}

}  // namespace

TEST_CASE("a map failing at any call of any kind restores everything") {
  auto map = [](Type1Rig& r, VfioIommu& c) { return r.map(c, 0x100000, 0, 4 * P); };
  // 3 chunks x 2 domains: every one of the 6 iommu_map calls can fail.
  CHECK(sweep(vfio::FaultKind::iommu_map, -ENOMEM, prepared, map).failures == 6);
  // GUP is called once per batch refill: once here (one batch holds 4 pages).
  CHECK(sweep(vfio::FaultKind::pin, -EFAULT, prepared, map).failures == 1);
  // The dma's kzalloc fails the map; the batch page falls back to one page.
  const Sweep alloc = sweep(vfio::FaultKind::alloc, -ENOMEM, prepared, map);
  CHECK(alloc.failures == 1);
  CHECK(alloc.successes == 1);
}

TEST_CASE("an attach failing anywhere in its replay restores everything") {
  auto mapped = [](Type1Rig& r) {
    FakeGroup a;
    a.ops = "mock-a";
    r.iommu.add_group(1, a);
    FakeGroup b = a;
    b.ops = "mock-b";
    b.reserved = {{0xfee00000, 0x100000, vfio::ResvType::msi}};
    r.iommu.add_group(2, b);
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, P, 0x1000000);
    r.touch(0x101000, 2 * P, 0x2000000);
    REQUIRE(r.map(*c, 0x100000, 0, 3 * P) == 0);         // two physical runs
    REQUIRE(r.map(*c, 0x101000, 0x10000, 2 * P) == 0);   // the same memory, mapped again
    return c;
  };
  auto attach = [](Type1Rig&, VfioIommu& c) { return c.attach_group(2, vfio::GroupType::iommu); };
  // The fgsp probe's map may fail (the probe gives up, the attach goes on);
  // any of the three replayed runs fails the attach.
  const Sweep map = sweep(vfio::FaultKind::iommu_map, -ENOMEM, mapped, attach);
  CHECK(map.failures == 3);
  CHECK(map.successes == 1);
  // group, domain, the driver's domain, iova copy (2 nodes), resize, the MSI
  // carve-out (2 nodes), the batch page (falls back) and the probe pages (skipped).
  const Sweep alloc = sweep(vfio::FaultKind::alloc, -ENOMEM, mapped, attach);
  CHECK(alloc.failures >= 5);
  CHECK(alloc.successes >= 1);
}

TEST_CASE("a first attach failing at any allocation leaves no domain behind") {
  auto empty = [](Type1Rig& r) {
    r.iommu.add_group(1, {});
    return r.open();
  };
  auto attach = [](Type1Rig&, VfioIommu& c) { return c.attach_group(1, vfio::GroupType::iommu); };
  const Sweep alloc = sweep(vfio::FaultKind::alloc, -ENOMEM, empty, attach);
  CHECK(alloc.failures == 4);  // group, domain, the driver's domain, the first window
}

TEST_CASE("a failed iommu_unmap is not an error: the kernel WARNs and keeps the pages pinned") {
  Type1Rig r("none", vfio::KernelBase::v6_18);
  r.iommu.add_group(1, {});
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, 2 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 2 * P) == 0);
  r.kernel.faults.arm(vfio::FaultKind::iommu_unmap, 1, -ENOMEM);  // the fast path
  r.kernel.faults.arm(vfio::FaultKind::iommu_unmap, 2, -ENOMEM);  // and the slow one
  uint64_t unmapped = 0;
  CHECK(r.unmap(*c, 0, 2 * P, 0, &unmapped) == 0);
  CHECK(unmapped == 2 * P);
  CHECK(r.log.warnings() == 1);
  CHECK(r.host.total_pins() == 2);  // nothing was unpinned...
  CHECK(c->dma_list().empty());     // ...but the mapping is gone
}

namespace {

// An mdev-only container (so external pins are accounted) with three pages
// mapped, one of them already pinned by the driver.
std::unique_ptr<VfioIommu> mdev_only(Type1Rig& r) {
  auto c = r.open();
  REQUIRE(c->attach_group(11, vfio::GroupType::emulated) == 0);
  r.register_mdev(*c);
  r.touch(0x100000, 3 * P);
  REQUIRE(r.map(*c, 0x100000, 0, 3 * P) == 0);
  std::vector<unsigned long> pages;
  REQUIRE(c->pin_pages(11, P, 1, vfio::IOMMU_READ, pages) == 1);
  return c;
}

}  // namespace

TEST_CASE("an external pin failing at any page unwinds the pages pinned before it") {
  auto pin3 = [](Type1Rig&, VfioIommu& c) {
    std::vector<unsigned long> pages;
    const int ret = c.pin_pages(11, 0, 3, vfio::IOMMU_READ, pages);
    return ret < 0 ? ret : 0;
  };
  // Pages 0 and 2 are pinned anew (page 1 only gains a reference): two GUP
  // calls and two vfio_pfn allocations, each of which can fail.
  CHECK(sweep(vfio::FaultKind::pin, -EFAULT, mdev_only, pin3).failures == 2);
  CHECK(sweep(vfio::FaultKind::alloc, -ENOMEM, mdev_only, pin3).failures == 2);
}

TEST_CASE("starting dirty tracking fails cleanly when a bitmap cannot be allocated") {
  auto two_mappings = [](Type1Rig& r) {
    auto c = prepared(r);
    REQUIRE(r.map(*c, 0x100000, 0, P) == 0);
    REQUIRE(r.map(*c, 0x101000, 0x10000, 2 * P) == 0);
    return c;
  };
  auto start = [](Type1Rig&, VfioIommu& c) {
    vfio::DirtyPagesArgs args;
    args.flags = vfio::VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
    return c.dirty_pages(args);
  };
  CHECK(sweep(vfio::FaultKind::alloc, -ENOMEM, two_mappings, start).failures == 2);
}
