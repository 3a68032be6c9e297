// SPDX-License-Identifier: GPL-2.0-only
// Statistics groups: counters read when the report is made, instance
// prefixes, and sections gathered from several providers.
#include <catch2/catch.hpp>

#include "base/stats.h"

using namespace iocsim;

namespace {

struct Model : stats::Provider {
  Model(const char* section, std::string prefix) : group(section, std::move(prefix)) {
    group.add("hits", hits);
    group.add("twice_hits", [this] { return 2 * hits; });
  }
  const stats::Group& statistics() const override { return group; }
  uint64_t hits = 0;
  stats::Group group;
};

}  // namespace

TEST_CASE("a group reads its counters when asked, under the instance's prefix") {
  Model unit("iommu", "dmar0.");
  unit.hits = 7;
  using Values = std::vector<std::pair<std::string, uint64_t>>;
  CHECK(unit.statistics().values() == Values{{"dmar0.hits", 7}, {"dmar0.twice_hits", 14}});
  unit.hits = 8;
  CHECK(unit.statistics().values()[1].second == 16);
}

TEST_CASE("sections gather their groups in order, and the ones asked for are there if empty") {
  Model a("iommu", "a."), cache("cache", ""), b("iommu", "b.");
  const auto sections = stats::sections({&a, &cache, &b}, {"dram", "cache"});
  REQUIRE(sections.size() == 3);
  CHECK(sections[0].name == "dram");
  CHECK(sections[0].counters.empty());
  CHECK(sections[1].name == "cache");
  CHECK(sections[1].counters.size() == 2);
  CHECK(sections[2].name == "iommu");
  REQUIRE(sections[2].counters.size() == 4);
  CHECK(sections[2].counters[0].first == "a.hits");
  CHECK(sections[2].counters[2].first == "b.hits");
}
