// SPDX-License-Identifier: GPL-2.0-only
// The platform graph as the default platform binds it: components, links,
// idle paths, validation and DOT. Each test case runs in a process of its own
// (one SystemC elaboration each).
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "models/dma/dma_master.h"
#include "models/memory/memory_controller.h"
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

struct Wired {
  models::CoherenceObserver nobody;
  platform::Platform machine{default_spec(), nobody};
  const Topology& t = machine.topology();
};

}  // namespace

TEST_CASE("the graph is what the default platform binds: every core, the units, the device") {
  Wired w;
  CHECK(w.t.problems().empty());
  const auto components = w.t.components();
  // memory, llc, 4 cores, two units, the device.
  REQUIRE(components.size() == 9);
  CHECK(components[0].kind == ComponentKind::memory);
  CHECK(components[1].name == "llc");
  CHECK(components[1].detail.find("per core: l1d 48KiB 12-way, l2 1280KiB 20-way") !=
        std::string::npos);
  CHECK(components[5].name == "cpu3");
  CHECK(components[8].name == "gpu0");
  // A core's socket to the hierarchy, the hierarchy's to memory, each unit's
  // two, the device's: as many edges as binds.
  CHECK(boost::num_edges(w.t.graph()) == 4 + 1 + 2 * 2 + 1);
  CHECK(boost::in_degree(1, w.t.graph()) == 4 + 2);  // into the llc: the cores and the units
}

TEST_CASE("idle paths add up the links' latencies, fastest first") {
  Wired w;
  const auto paths = w.t.idle_paths("gpu0");
  REQUIRE(paths.size() == 2);
  // DDR4-3200AA idle read 13.75 + 13.75 + 2.5 ns; the PCIe 4.0 x4 link
  // (7.88 GB/s) carries the 24 B read request in 3.047 ns and the 84 B
  // completion in 10.665 ns, plus 100 ns of latency each way; LLC lookup 28
  // cycles at 3 GHz; a core's loads look up L1D (5 cycles) and L2 (9 cycles)
  // first.
  const Picos link = 3'047 + 10'665 + 2 * 100'000;
  CHECK(paths[0].hops == std::vector<std::string>{"gpu0", "dmar-gfx", "memory"});
  CHECK(paths[0].latency == link + 30'000);
  CHECK(paths[1].hops == std::vector<std::string>{"gpu0", "dmar-gfx", "llc", "memory"});
  CHECK(paths[1].latency == link + 9'333 + 30'000);
  const auto cpu = w.t.idle_paths("cpu2").at(0);
  CHECK(cpu.hops == std::vector<std::string>{"cpu2", "llc", "memory"});
  CHECK(cpu.latency == 1'667 + 3'000 + 9'333 + 30'000);
}

TEST_CASE("a device bound straight to memory is reported") {
  models::CoherenceObserver nobody;
  models::VersionClock versions;
  models::MemoryController memory("memory", models::MemoryConfig{}, &nobody);
  models::DmaMaster rogue("rogue", 1, kNobody, true, models::DmaConfig{}, versions, &nobody);
  Topology t;
  t.add(memory, ComponentKind::memory, "");
  t.add(rogue, ComponentKind::device, "");
  t.bind(rogue.socket, memory.socket, "DMA requests", 1'000);
  REQUIRE(t.problems().size() == 1);
  CHECK(t.problems()[0] == "device rogue reaches memory without an IOMMU");
}

TEST_CASE("a socket bound before its model is in the graph is iocsim's bug") {
  models::CoherenceObserver nobody;
  models::VersionClock versions;
  models::MemoryController memory("memory", models::MemoryConfig{}, &nobody);
  models::DmaMaster dma("dma", 1, kNobody, true, models::DmaConfig{}, versions, &nobody);
  Topology t;
  t.add(memory, ComponentKind::memory, "");
  CHECK_THROWS_AS(t.bind(dma.socket, memory.socket, "DMA requests", 1'000), std::logic_error);
}

TEST_CASE("a device behind a unit the platform lacks is iocsim's bug") {
  platform::PlatformSpec spec = default_spec();
  spec.devices[0].iommu = "smmu9";
  models::CoherenceObserver nobody;
  CHECK_THROWS_AS(platform::Platform(spec, nobody), std::logic_error);
}

TEST_CASE("the DOT output has one node per component and one edge per link") {
  Wired w;
  std::ostringstream dot;
  w.t.write_dot(dot);
  const std::string text = dot.str();
  CHECK(text.rfind("digraph G {", 0) == 0);
  const std::regex node(R"(^\d+\[label=".*", shape=\w+\];$)"), edge(R"(^\d+->\d+ \[label=".*"\];$)");
  size_t nodes = 0, edges = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    nodes += std::regex_match(line, node);
    edges += std::regex_match(line, edge);
  }
  CHECK(nodes == 9);
  CHECK(edges == 10);
  CHECK(text.find(R"(label="gpu0\nstream 1, group 0", shape=component)") != std::string::npos);
}

TEST_CASE("a device with its own link parameters gets its own link") {
  platform::PlatformSpec spec = default_spec();
  platform::DeviceSpec nic;
  nic.name = "nic0";
  nic.stream_id = 2;
  nic.iommu = "dmar0";
  nic.params = {{"pcie.gen", "3"}, {"pcie.width", "16"}, {"dma.outstanding", "64"}};
  spec.devices.push_back(nic);
  models::CoherenceObserver nobody;
  platform::Platform machine(spec, nobody);
  const models::DmaConfig& gpu = machine.dma("gpu0").config();
  const models::DmaConfig& own = machine.dma("nic0").config();
  CHECK(gpu.link.gen == 4);
  CHECK(gpu.link.width == 4);
  CHECK(gpu.outstanding == 32);
  CHECK(own.link.gen == 3);
  CHECK(own.link.width == 16);
  CHECK(own.outstanding == 64);
  // PCIe 3.0 x16 carries twice what PCIe 4.0 x4 does: the 24 B request in
  // 1.524 ns, the 84 B completion in 5.333 ns.
  const Picos link = 1'524 + 5'333 + 2 * 100'000;
  CHECK(machine.topology().idle_paths("nic0").at(0).latency == link + 30'000);
}
