// SPDX-License-Identifier: GPL-2.0-only
// The platform graph: validation, idle paths and DOT, on the default preset.
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "platform/catalog.h"
#include "platform/platform.h"
#include "platform/preset.h"
#include "platform/topology.h"

using namespace iocsim;
using platform::ComponentKind;
using platform::Topology;

namespace {

platform::PlatformSpec default_spec() {
  yaml::Diagnostics diags;
  auto preset = platform::load_preset("default", diags);
  REQUIRE(preset);
  platform::PlatformSpec spec;
  for (const auto& [name, text] : preset->params) REQUIRE_FALSE(spec.params.set(name, text));
  spec.iommus = preset->iommus;
  platform::DeviceSpec gpu;
  gpu.name = "gpu0";
  gpu.stream_id = 1;
  gpu.iommu = "dmar-gfx";
  spec.devices.push_back(gpu);
  return spec;
}

}  // namespace

TEST_CASE("the default platform is valid: every device reaches memory through its IOMMU") {
  const Topology t(default_spec());
  CHECK(t.problems().empty());
  const auto components = t.components();
  // cpu0, llc, memory, core 0's L1D and L2, two units, the device.
  REQUIRE(components.size() == 8);
  CHECK(components[0].kind == ComponentKind::cpu);
  CHECK(components[3].name == "cpu0.l1d");
  CHECK(components[7].name == "gpu0");
  CHECK(boost::num_edges(t.graph()) == 4 + 2 * 2 + 1);
}

TEST_CASE("idle paths add up the links' latencies, fastest first") {
  const Topology t(default_spec());
  const auto paths = t.idle_paths("gpu0");
  REQUIRE(paths.size() == 2);
  // DDR4-3200AA idle read 13.75 + 13.75 + 2.5 ns; link 5.33 ns; LLC lookup 28 cycles at
  // 3 GHz; a core's loads look up L1D (5 cycles) and L2 (9 cycles) first.
  CHECK(paths[0].hops == std::vector<std::string>{"gpu0", "dmar-gfx", "memory"});
  CHECK(paths[0].latency == 5'330 + 30'000);
  CHECK(paths[1].hops == std::vector<std::string>{"gpu0", "dmar-gfx", "llc", "memory"});
  CHECK(paths[1].latency == 5'330 + 9'333 + 30'000);
  const auto cpu = t.idle_paths("cpu0").at(0);
  CHECK(cpu.hops == std::vector<std::string>{"cpu0", "cpu0.l1d", "cpu0.l2", "llc", "memory"});
  CHECK(cpu.latency == 1'667 + 3'000 + 9'333 + 30'000);
}

TEST_CASE("a device behind a unit the platform lacks is reported") {
  platform::PlatformSpec spec = default_spec();
  spec.devices[0].iommu = "smmu9";
  const auto problems = Topology(spec).problems();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "device gpu0 does not reach memory");
}

TEST_CASE("the DOT output has one node per component and one edge per link") {
  std::ostringstream dot;
  Topology(default_spec()).write_dot(dot);
  const std::string text = dot.str();
  CHECK(text.rfind("digraph G {", 0) == 0);
  const std::regex node(R"(^\d+\[label=".*", shape=\w+\];$)"), edge(R"(^\d+->\d+ \[label=".*"\];$)");
  size_t nodes = 0, edges = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    nodes += std::regex_match(line, node);
    edges += std::regex_match(line, edge);
  }
  CHECK(nodes == 8);
  CHECK(edges == 9);
  CHECK(text.find(R"(label="gpu0\nstream 1, group 0", shape=component)") != std::string::npos);
}
