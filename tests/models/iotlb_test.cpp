// SPDX-License-Identifier: GPL-2.0-only
// The IOTLB and the placement of I/O page tables, on their own.
#include <vector>

#include <catch2/catch.hpp>

#include "models/iommu/iotlb.h"
#include "models/iommu/table_placement.h"

using namespace iocsim;
using models::Iotlb;
using models::IotlbEntry;
using models::TablePlacement;

namespace {

constexpr uint64_t K4 = 4096, M2 = 2u << 20;

IotlbEntry page(uint32_t domain, uint64_t iova, uint64_t size = K4) {
  return {domain, iova, size, 0x100000 + iova, true, true, false};
}

// Looks every page of `pages` up once, filling on a miss; returns the misses.
uint64_t sweep(Iotlb& tlb, uint32_t domain, uint64_t pages) {
  std::vector<IotlbEntry> dropped;
  uint64_t misses = 0;
  for (uint64_t p = 0; p < pages; ++p) {
    if (tlb.lookup(domain, p * K4)) continue;
    ++misses;
    tlb.fill(page(domain, p * K4), dropped);
  }
  return misses;
}

}  // namespace

TEST_CASE("an IOTLB of N entries misses on the N+1st distinct page of a cyclic sweep") {
  Iotlb fits(8, 8);
  CHECK(sweep(fits, 1, 8) == 8);
  CHECK(sweep(fits, 1, 8) == 0);  // all eight stay
  Iotlb short_by_one(8, 8);
  CHECK(sweep(short_by_one, 1, 9) == 9);
  // LRU with a cyclic sweep one longer than the IOTLB: every page was evicted
  // just before it is needed again.
  CHECK(sweep(short_by_one, 1, 9) == 9);
  CHECK(short_by_one.stats().evictions == 10);
  CHECK(short_by_one.valid_entries() == 8);
}

TEST_CASE("a superpage takes one entry for all of its 4 KiB pages") {
  Iotlb tlb(4, 4);
  std::vector<IotlbEntry> dropped;
  tlb.fill(page(1, M2, M2), dropped);
  for (uint64_t off = 0; off < M2; off += K4) REQUIRE(tlb.lookup(1, M2 + off));
  CHECK(tlb.lookup(1, M2 + 0x1234)->pa == 0x100000 + M2);
  CHECK_FALSE(tlb.lookup(1, 2 * M2));
  CHECK_FALSE(tlb.lookup(1, M2 - 1));
  CHECK(tlb.stats().hits == 513);
  CHECK(tlb.stats().misses == 2);
}

TEST_CASE("entries are tagged by domain") {
  Iotlb tlb(4, 4);
  std::vector<IotlbEntry> dropped;
  tlb.fill(page(1, 0), dropped);
  CHECK(tlb.lookup(1, 0));
  CHECK_FALSE(tlb.lookup(2, 0));
  tlb.fill(page(2, 0), dropped);
  CHECK(tlb.lookup(2, 0));
  CHECK(tlb.valid_entries() == 2);
}

TEST_CASE("in a set-associative IOTLB only pages of one set compete") {
  Iotlb tlb(2, 1);  // two sets of one way
  std::vector<IotlbEntry> dropped;
  tlb.fill(page(1, 0), dropped);
  tlb.fill(page(1, K4), dropped);  // the other set: both stay
  CHECK(tlb.lookup(1, 0));
  CHECK(tlb.lookup(1, K4));
  tlb.fill(page(1, 2 * K4), dropped);  // page 0's set: page 0 goes
  CHECK_FALSE(tlb.lookup(1, 0));
  CHECK(tlb.lookup(1, K4));
  CHECK(tlb.stats().evictions == 1);
}

TEST_CASE("an unmapped page stays cached, stale, until an invalidation covers it") {
  Iotlb tlb(8, 8);
  std::vector<IotlbEntry> changed;
  tlb.fill(page(1, 0), changed);
  tlb.fill(page(1, K4), changed);
  tlb.fill(page(1, 8 * K4), changed);
  tlb.mark_stale(1, 0, 2 * K4 - 1, changed);
  REQUIRE(changed.size() == 2);
  CHECK(changed[0].iova == 0);
  CHECK(changed[1].iova == K4);
  changed.clear();
  tlb.mark_stale(1, 0, K4 - 1, changed);
  CHECK(changed.empty());  // already stale: reported once
  const IotlbEntry* hit = tlb.lookup(1, 0x40);
  REQUIRE(hit);
  CHECK(hit->stale);
  CHECK(tlb.stats().stale_hits == 1);
  tlb.invalidate(1, K4, K4 + 63, changed);  // one line of the second page
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].iova == K4);
  CHECK_FALSE(tlb.lookup(1, K4));
  CHECK(tlb.lookup(1, 0));
  CHECK(tlb.lookup(1, 8 * K4));
  changed.clear();
  tlb.invalidate(1, 0, UINT64_MAX, changed);
  CHECK(changed.size() == 1);  // the stale first page; the live one is not reported
  CHECK(tlb.valid_entries() == 0);
  CHECK(tlb.stats().invalidated == 3);
}

TEST_CASE("a stale entry evicted by a fill is reported, as is one a new translation overlaps") {
  Iotlb tlb(1, 1);
  std::vector<IotlbEntry> changed;
  tlb.fill(page(1, 0), changed);
  tlb.mark_stale(1, 0, K4 - 1, changed);
  changed.clear();
  tlb.fill(page(1, K4), changed);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].iova == 0);

  Iotlb big(4, 4);
  changed.clear();
  big.fill(page(1, M2 + K4), changed);
  big.mark_stale(1, M2 + K4, M2 + 2 * K4 - 1, changed);
  changed.clear();
  big.fill(page(1, M2, M2), changed);  // remapped as a superpage over it
  REQUIRE(changed.size() == 1);
  CHECK(big.lookup(1, M2 + K4)->size == M2);
}

TEST_CASE("an IOTLB geometry that does not divide is refused") {
  CHECK_THROWS_AS(Iotlb(10, 4), std::invalid_argument);
  CHECK_THROWS_AS(Iotlb(0, 0), std::invalid_argument);
}

TEST_CASE("page-table entries sit in per-level table pages of the pool") {
  TablePlacement tables(0x800000, 0x10000);  // 16 pages at 8 MiB
  const uint64_t pte0 = tables.entry_address(1, 1, 0);
  CHECK(pte0 >= 0x800000);
  CHECK(pte0 < 0x810000);
  CHECK(pte0 % K4 == 0);
  CHECK(tables.entry_address(1, 1, K4) == pte0 + 8);           // the next PTE
  CHECK(tables.entry_address(1, 1, M2 - K4) == pte0 + 511 * 8);  // the last of the table
  const uint64_t next_table = tables.entry_address(1, 1, M2);
  CHECK(next_table / K4 != pte0 / K4);
  CHECK(next_table % K4 == 0);
  // Level 2 indexes 2 MiB ranges: both of them are in one level-2 page.
  CHECK(tables.entry_address(1, 2, M2) == tables.entry_address(1, 2, 0) + 8);
  CHECK(tables.entry_address(2, 1, 0) / K4 != pte0 / K4);  // another domain's table
  CHECK(tables.table_pages() == 4);
  CHECK(tables.aliased() == 0);
}

TEST_CASE("a freed domain's table pages are reused, and a full pool shares pages") {
  TablePlacement tables(0x800000, 2 * K4);
  const uint64_t a = tables.entry_address(1, 1, 0);
  tables.release(1);
  CHECK(tables.table_pages() == 0);
  CHECK(tables.entry_address(2, 1, 0) == a);
  tables.entry_address(2, 2, 0);
  CHECK(tables.aliased() == 0);
  tables.entry_address(2, 3, 0);  // a third page in a pool of two
  CHECK(tables.aliased() == 1);
  CHECK_THROWS_AS(TablePlacement(0x800000, 100), std::invalid_argument);
}
