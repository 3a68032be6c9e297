// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/exposures.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <tuple>
#include <vector>

using iocsim::analysis::Exposures;

namespace {

constexpr uint64_t kPage = 4096;

struct Reach {
  uint32_t domain;
  uint64_t iova;
  bool readable;
  bool operator==(const Reach& o) const {
    return std::tie(domain, iova, readable) == std::tie(o.domain, o.iova, o.readable);
  }
};

// What the oracle kept before: a list per page, in the order of mapping.
struct Reference {
  std::map<uint64_t, std::vector<Reach>> pages;

  void add(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size, bool readable) {
    for (uint64_t off = 0; off < size; off += kPage)
      pages[(pa + off) / kPage].push_back({domain, iova + off, readable});
  }
  void remove(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size) {
    for (uint64_t off = 0; off < size; off += kPage) {
      auto it = pages.find((pa + off) / kPage);
      if (it == pages.end()) continue;
      auto& list = it->second;
      for (auto e = list.begin(); e != list.end(); ++e) {
        if (e->domain == domain && e->iova == iova + off) {
          list.erase(e);
          break;
        }
      }
      if (list.empty()) pages.erase(it);
    }
  }
};

std::vector<Reach> reaches(const Exposures& x, uint64_t page) {
  std::vector<Reach> out;
  x.for_page(page, [&](const Exposures::Reach& r) {
    out.push_back({r.domain, r.iova, r.readable});
    return false;
  });
  return out;
}

}  // namespace

TEST_CASE("exposures answer per page what a list per page does, in the same order") {
  std::mt19937_64 rng(GENERATE(21, 22, 23, 24));
  Exposures x;
  Reference ref;
  struct Mapping {
    uint32_t domain;
    uint64_t iova, pa, size;
  };
  std::vector<Mapping> made;
  for (int step = 0; step < 3000; ++step) {
    if (made.empty() || rng() % 5 < 3) {
      // Small ranges over 64 pages: overlaps between domains, the same page
      // at two IOVAs of one domain, and IOVAs that continue a neighbour's.
      const uint32_t domain = 1 + rng() % 3;
      const uint64_t pa = (rng() % 64) * kPage, size = (1 + rng() % 8) * kPage;
      const uint64_t iova = rng() % 2 ? pa + 0x100000 * domain : (rng() % 512) * kPage;
      const bool readable = rng() % 4 != 0;
      x.add(domain, iova, pa, size, readable);
      ref.add(domain, iova, pa, size, readable);
      made.push_back({domain, iova, pa, size});
    } else {
      // Part of an earlier mapping (which may be gone already), or a range
      // never mapped.
      Mapping m = made[rng() % made.size()];
      const uint64_t skip = (rng() % (m.size / kPage)) * kPage;
      m.iova += skip, m.pa += skip, m.size -= skip;
      if (rng() % 8 == 0) m.iova += kPage;
      x.remove(m.domain, m.iova, m.pa, m.size);
      ref.remove(m.domain, m.iova, m.pa, m.size);
    }
    for (uint64_t page = 0; page < 80; ++page) {
      auto it = ref.pages.find(page);
      REQUIRE(reaches(x, page) == (it == ref.pages.end() ? std::vector<Reach>{} : it->second));
    }
    for (uint32_t domain = 1; domain <= 4; ++domain) {
      std::vector<uint64_t> got, want;
      x.for_domain_pages(domain, [&](uint64_t page) { got.push_back(page); });
      for (const auto& [page, list] : ref.pages)
        for (const Reach& r : list)
          if (r.domain == domain) {
            want.push_back(page);
            break;
          }
      REQUIRE(got == want);
    }
    REQUIRE(x.empty() == ref.pages.empty());
  }
}

TEST_CASE("a range mapped a page at a time, then unmapped, is one segment, then none") {
  Exposures x;
  for (uint64_t i = 0; i < 1000; ++i)
    x.add(7, 0x10000000 + i * kPage, 0x400000 + i * kPage, kPage, true);
  CHECK(x.segments() == 1);
  // Another domain over the middle splits it in three; unmapping joins them again.
  x.add(8, 0, 0x400000 + 100 * kPage, 10 * kPage, true);
  CHECK(x.segments() == 3);
  x.remove(8, 0, 0x400000 + 100 * kPage, 10 * kPage);
  CHECK(x.segments() == 1);
  for (uint64_t i = 0; i < 1000; ++i)
    x.remove(7, 0x10000000 + i * kPage, 0x400000 + i * kPage, kPage);
  CHECK(x.empty());
}
