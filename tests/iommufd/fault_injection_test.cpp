// SPDX-License-Identifier: GPL-2.0-only
// A failure injected at every call index of every kind the compat map and
// attach paths make (as the kernel's iommufd_fail_nth selftest does): the
// operation either succeeds or restores pins, locked_vm, translations and
// areas exactly.
#include <catch2/catch.hpp>

#include "analysis/kernel_state.h"
#include "iommufd/iommufd_rig.h"

using namespace iocsim;
using namespace iocsim::test;

namespace {

struct Sweep {
  int failures = 0;
  int successes = 0;
};

template <typename Setup, typename Operation>
Sweep sweep(vfio::FaultKind kind, int err, Setup setup, Operation operation) {
  Sweep result;
  for (unsigned call = 1;; ++call) {
    IommufdRig r("posted-v1");
    auto c = setup(r);
    const analysis::KernelState before =
        analysis::capture({{"c", c.get()}}, r.host, r.iommu.digests());
    r.kernel.faults.arm(kind, call, err);
    const int ret = operation(r, *c);
    if (r.kernel.faults.pending()) break;  // fewer calls than `call`: all swept
    if (ret) {
      ++result.failures;
      INFO(vfio::to_string(kind) << " call " << call << " failed with " << ret);
      CHECK(analysis::differences(
                before, analysis::capture({{"c", c.get()}}, r.host, r.iommu.digests()))
                .empty());
    } else {
      ++result.successes;
    }
  }
  return result;
}

// Both domains, and three physically separate chunks at 0x100000.
std::unique_ptr<VfioCompat> two_domains(IommufdRig& r) {
  auto c = r.open();
  REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
  REQUIRE(c->attach_group(2, vfio::GroupType::iommu) == 0);
  r.touch(0x100000, kPage, 0x1000000);
  r.touch(0x101000, 2 * kPage, 0x2000000);
  r.touch(0x103000, kPage, 0x3000000);
  return c;
}

}  // namespace

TEST_CASE("a compat map failing at any call of any kind restores everything") {
  auto map = [](IommufdRig& r, VfioCompat& c) { return r.map(c, 0x100000, 0, 4 * kPage); };
  // 3 runs x 2 domains.
  CHECK(sweep(vfio::FaultKind::iommu_map, -ENOMEM, two_domains, map).failures == 6);
  CHECK(sweep(vfio::FaultKind::pin, -EFAULT, two_domains, map).failures == 1);
  // The pages, the area and the accounting's should-fail point fail the
  // map; the pin array falls back to one page of pointers.
  const Sweep alloc = sweep(vfio::FaultKind::alloc, -ENOMEM, two_domains, map);
  CHECK(alloc.failures == 3);
  CHECK(alloc.successes == 1);
}

TEST_CASE("an attach filling a new domain fails anywhere and restores everything") {
  auto mapped = [](IommufdRig& r) {
    auto c = r.open();
    REQUIRE(c->attach_group(1, vfio::GroupType::iommu) == 0);
    r.touch(0x100000, kPage, 0x1000000);
    r.touch(0x101000, 2 * kPage, 0x2000000);
    REQUIRE(r.map(*c, 0x100000, 0, 3 * kPage) == 0);
    return c;
  };
  auto attach = [](IommufdRig&, VfioCompat& c) { return c.attach_group(2, vfio::GroupType::iommu); };
  CHECK(sweep(vfio::FaultKind::iommu_map, -ENOMEM, mapped, attach).failures == 2);
  const Sweep alloc = sweep(vfio::FaultKind::alloc, -ENOMEM, mapped, attach);
  CHECK(alloc.failures >= 3);  // device, HWPT, domain slot (xa_reserve)
}

TEST_CASE("a first attach pinning what was mapped before fails anywhere and restores everything") {
  auto mapped = [](IommufdRig& r) {
    auto c = r.open();
    r.touch(0x100000, 3 * kPage, 0x1000000);
    REQUIRE(r.map(*c, 0x100000, 0, 3 * kPage) == 0);
    return c;
  };
  auto attach = [](IommufdRig&, VfioCompat& c) { return c.attach_group(1, vfio::GroupType::iommu); };
  CHECK(sweep(vfio::FaultKind::pin, -EFAULT, mapped, attach).failures == 1);
  CHECK(sweep(vfio::FaultKind::iommu_map, -ENOMEM, mapped, attach).failures == 1);
}
