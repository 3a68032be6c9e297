// SPDX-License-Identifier: GPL-2.0-only
// Studies and scenario variables: what a valid study becomes, the grid's
// order, and the exact error for each kind of mistake.
#include <string>

#include <catch2/catch.hpp>

#include "scenario/loader.h"
#include "scenario/study.h"
#include "temp_file.h"

using namespace iocsim;
using namespace iocsim::scenario;

namespace {

const char* kScenario = R"(scenario: sized
vars:
  guest: 2MiB
  rate: 1us
platform: default
kernel: {base: v6.9, policy: none}
principals:
  vm-b: {}
devices:
  gpu0: {owner: vm-b, group: 7, iommu: dmar-gfx, no_snoop: true}
steps:
  - touch: {as: vm-b, va: 0x7f1000000000, size: $guest}
  - wait: $rate
)";

std::string study_text(const std::string& scenario_path, const std::string& body) {
  return "study: demo\nscenario: " + scenario_path + "\n" + body;
}

struct LoadedStudy {
  std::optional<Study> study;
  std::vector<std::string> errors;  // without the file name
};

LoadedStudy load(const std::string& body) {
  const TempFile scenario("study-scenario", kScenario);
  const TempFile study("study", study_text(scenario.path(), body));
  yaml::Diagnostics diags;
  LoadedStudy l;
  l.study = load_study(study.path(), diags);
  for (const auto& d : diags.list())
    l.errors.push_back(d.format().substr(d.format().find(':') + 1));
  return l;
}

}  // namespace

TEST_CASE("a study names platform parameters and scenario variables") {
  LoadedStudy l = load(
      "policies: [none, posted-v1]\n"
      "grid:\n  guest: [1MiB, 4MiB]\n  llc.size: [6MiB, 12MiB, 24MiB]\n"
      "seeds: [1, 2]\n"
      "metrics: [leaks, flush.cpu_ns, stats.dram.reads]\n"
      "plots:\n  - {x: llc.size, y: flush.cpu_ns, series: [policy, guest]}\n");
  REQUIRE(l.errors.empty());
  const Study& s = *l.study;
  REQUIRE(s.grid.size() == 2);
  CHECK(s.grid[0].is_var);
  CHECK_FALSE(s.grid[1].is_var);
  CHECK(s.grid[1].origins[2].find(":6:27") != std::string::npos);
  CHECK(s.metrics == std::vector<std::string>{"leaks", "flush.cpu_ns", "stats.dram.reads"});
  REQUIRE(s.plots.size() == 1);
  CHECK(s.plots[0].series == std::vector<std::string>{"policy", "guest"});

  const auto points = expand_grid(s);
  REQUIRE(points.size() == 2 * 3 * 2 * 2);
  // The first axis varies slowest, then the second, then policies, then seeds.
  CHECK(points[0].values == std::vector<std::string>{"1MiB", "6MiB"});
  CHECK(points[0].policy == "none");
  CHECK(points[1].seed == 2);
  CHECK(points[2].policy == "posted-v1");
  CHECK(points[4].values == std::vector<std::string>{"1MiB", "12MiB"});
  CHECK(points[12].values == std::vector<std::string>{"4MiB", "6MiB"});
  for (size_t i = 0; i < points.size(); ++i) CHECK(points[i].index == i);
}

TEST_CASE("study mistakes are errors at their position") {
  CHECK(load("grid:\n  llc.sise: [1MiB]\nmetrics: [leaks]\n").errors ==
        std::vector<std::string>{"4:3: error: 'llc.sise' is neither a platform parameter nor a "
                                 "variable of the scenario (did you mean 'llc.size'?)"});
  CHECK(load("grid:\n  llc.size: [1MiB, 8M]\nmetrics: [leaks]\n").errors ==
        std::vector<std::string>{"4:20: error: bad value for llc.size: ambiguous size unit 'M': "
                                 "write a binary unit such as KiB, MiB or GiB"});
  CHECK(load("metrics: [leak]\n").errors ==
        std::vector<std::string>{"3:11: error: unknown metric 'leak' (did you mean 'leaks'?) "
                                 "(a counter of the report, stats.COMPONENT.COUNTER, or "
                                         "steps.NAME.start_ns|end_ns|duration_ns)"});
  CHECK(load("policies: [posted-v2]\nmetrics: [leaks]\n").errors.at(0).rfind("3:12: error:", 0) ==
        0);
  CHECK(load("grid:\n  guest: [1MiB, 1MiB]\nmetrics: [leaks]\n").errors ==
        std::vector<std::string>{"4:17: error: '1MiB' appears twice in grid 'guest'"});
}

TEST_CASE("a varying axis that is neither x nor series draws a panel per value") {
  LoadedStudy l = load(
      "policies: [none, posted-v1]\ngrid:\n  guest: [1MiB, 4MiB]\n  llc.size: [8MiB]\n"
      "  cpu.flush: [clflush, clflushopt]\nmetrics: [leaks]\nplots:\n"
      "  - {x: guest, y: leaks}\n  - {x: guest, y: leaks, series: [policy, cpu.flush]}\n");
  REQUIRE(l.errors.empty());
  REQUIRE(l.study->plots.size() == 2);
  // llc.size has one value: it does not vary, so it draws no panels.
  CHECK(l.study->plots[0].panels == std::vector<std::string>{"cpu.flush", "policy"});
  CHECK(l.study->plots[1].panels.empty());
  CHECK(load("metrics: [leaks]\nplots:\n  - {x: guest, y: flush.calls}\n").errors.size() == 2);
}

TEST_CASE("scenario variables take defaults or overrides and keep positions") {
  const TempFile file("vars", kScenario);
  yaml::Diagnostics diags;
  auto s = load_scenario(file.path(), {}, diags);
  REQUIRE(diags.empty());
  const auto& touch = std::get<TouchStep>(s->steps[0].args);
  CHECK(touch.size == 2 * 1024 * 1024);

  LoadOptions options;
  options.vars.push_back({"guest", "8MiB", "study.yaml:3:4"});
  s = load_scenario(file.path(), options, diags);
  REQUIRE(diags.empty());
  CHECK(std::get<TouchStep>(s->steps[0].args).size == 8 * 1024 * 1024);

  // A bad value is reported where the variable is used.
  options.vars[0].value = "8M";
  yaml::Diagnostics bad;
  CHECK_FALSE(load_scenario(file.path(), options, bad));
  REQUIRE(bad.list().size() == 1);
  CHECK(bad.list()[0].line == 12);
  CHECK(bad.list()[0].column == 49);

  options.vars[0].name = "gust";
  yaml::Diagnostics unknown;
  CHECK_FALSE(load_scenario(file.path(), options, unknown));
  REQUIRE(unknown.list().size() == 1);
  CHECK(unknown.list()[0].message ==
        "study.yaml:3:4 sets variable 'gust', which the scenario does not declare (did you "
        "mean 'guest'?)");
}

TEST_CASE("a use of an undeclared variable is an error") {
  const TempFile file("vars-undeclared",
                      std::string(kScenario) + "  - wait: $rat\n");
  yaml::Diagnostics diags;
  CHECK_FALSE(load_scenario(file.path(), {}, diags));
  REQUIRE(diags.list().size() == 1);
  CHECK(diags.list()[0].format().substr(diags.list()[0].format().find(':') + 1) ==
        "14:11: error: unknown variable 'rat' (did you mean 'rate'?) (declare it under 'vars')");
}

TEST_CASE("a study's backends are an axis between the grid and the policies") {
  LoadedStudy l = load(
      "policies: [none, posted-v1]\nbackends: all\ngrid:\n  guest: [1MiB, 4MiB]\n"
      "metrics: [leaks]\nplots:\n  - {x: guest, y: leaks, series: [policy]}\n");
  REQUIRE(l.errors.empty());
  CHECK(l.study->backends == std::vector<std::string>{"type1", "iommufd"});
  // Both backends run, so a plot that does not draw them apart gets a panel each.
  CHECK(l.study->plots[0].panels == std::vector<std::string>{"backend"});
  const auto points = expand_grid(*l.study);
  REQUIRE(points.size() == 2 * 2 * 2);
  CHECK(points[0].backend == "type1");
  CHECK(points[1].policy == "posted-v1");
  CHECK(points[2].backend == "iommufd");
  CHECK(points[4].values == std::vector<std::string>{"4MiB"});
  CHECK(expand_grid(*load("policies: [none]\nmetrics: [leaks]\n").study).at(0).backend.empty());
  CHECK(load("backends: [iommufdd]\nmetrics: [leaks]\n").errors.at(0).rfind("3:12: error:", 0) ==
        0);
}
