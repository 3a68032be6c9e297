// SPDX-License-Identifier: GPL-2.0-only
// The restore checker names every kind of change a failed operation could leave.
#include <catch2/catch.hpp>

#include "analysis/kernel_state.h"

using namespace iocsim;
using iocsim::SetDigest;
using analysis::KernelState;

namespace {

KernelState base() {
  KernelState s;
  s.pins.add(100, 1);
  s.pins.add(101, 1);
  s.locked_vm["vm-a"] = 2;
  s.containers["c0"].dma_avail = 65534;
  s.containers["c0"].mappings.add(0, 8192, 0x1000, 3);
  s.containers["c0"].domains = {1};
  s.containers["c0"].windows = {{0, 0xffff}};
  s.translations[1].add(0, 0x64000);
  return s;
}

}  // namespace

TEST_CASE("equal states have no differences, the digest ignores order") {
  KernelState a = base(), b = base();
  CHECK(analysis::differences(a, b).empty());
  SetDigest x, y;
  x.add(1, 2);
  x.add(3, 4);
  y.add(3, 4);
  y.add(1, 2);
  CHECK(x == y);
}

TEST_CASE("each kind of leftover change is named") {
  const KernelState a = base();
  KernelState b = base();
  b.pins = SetDigest{};
  b.pins.add(100, 1);
  b.pins.add(102, 1);  // same count, another page
  b.locked_vm["vm-a"] = 3;
  b.containers["c0"].dma_avail = 65535;
  b.containers["c0"].mappings = SetDigest{};
  b.containers["c0"].mappings.add(0, 8192, 0x1000, 2);  // a field of the one entry
  b.containers["c0"].domains = {};
  b.translations[1].add(4096, 0x65000);
  const auto d = analysis::differences(a, b);
  REQUIRE(d.size() == 6);
  CHECK(d[0] == "pinned pages: 2 -> 2 (different pages)");
  CHECK(d[1] == "locked_vm of vm-a: 2 -> 3");
  CHECK(d[2] == "dma_avail of c0: 65534 -> 65535");
  CHECK(d[3] == "mappings of c0: 1 -> 1 entries or their fields");
  CHECK(d[4] == "domains of c0: 1 -> 0");
  CHECK(d[5] == "translations of domain 1: 1 -> 2 pages or their targets");
}
