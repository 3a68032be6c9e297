// SPDX-License-Identifier: GPL-2.0-only
// `iocsim platform [PRESET] [--dot FILE]`: a preset's components, links,
// idle paths to memory and parameters, as the platform built from it is
// wired; its topology as Graphviz with --dot.
#include <algorithm>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/output_files.h"
#include "models/dma/dma_master.h"
#include "platform/catalog.h"
#include "platform/platform.h"
#include "platform/preset.h"

namespace iocsim::app {
namespace {

std::string nanoseconds(Picos ps) { return fmt::format("{:.2f} ns", ps / 1000.0); }

// A platform's cores are alike: the first stands for them all, named with
// how many there are.
bool stands_for_others(const platform::Component& c) {
  return c.kind == platform::ComponentKind::cpu && c.name == "cpu0";
}
bool stood_for(const platform::Component& c) {
  return c.kind == platform::ComponentKind::cpu && c.name != "cpu0";
}

std::string rate(double bytes_per_second) {
  return fmt::format("{:.2f} GB/s", bytes_per_second / 1e9);
}

// Every device gets a link of its own, with the preset's pcie.* parameters
// unless a scenario gives it its own: its idle read through each IOMMU unit
// (an IOTLB hit adds nothing) and what one engine streams, bound by the link
// or by its tags, whichever is lower (DRAM bandwidth aside).
void print_device_link(const platform::PlatformSpec& spec, const platform::Topology& topology) {
  const models::DmaConfig dma = models::DmaConfig::from(spec.params);
  const models::PcieLink link(dma.link);
  const uint64_t request = dma.request_bytes;
  std::cout << fmt::format(
      "\ndevice link (one per device, these values unless it sets its own: PCIe {}.0 x{}, {} "
      "each way before TLP overheads, {} latency each way)\n",
      dma.link.gen, dma.link.width, rate(link.bytes_per_second()),
      nanoseconds(dma.link.latency));
  Picos slowest_idle = 0;
  for (const platform::Component& c : topology.components()) {
    if (c.kind != platform::ComponentKind::iommu) continue;
    for (const platform::IdlePath& path : topology.idle_paths(c.name)) {
      const Picos idle = link.idle_read_time(request) + path.latency;
      slowest_idle = std::max(slowest_idle, idle);
      std::cout << fmt::format("  {:<34} {:<20} {}\n",
                               fmt::format("idle {}-byte read via {}", request, c.name),
                               path.via, nanoseconds(idle));
    }
  }
  const double seconds_per_request = static_cast<double>(link.completions_time(request)) / 1e12;
  const double by_link = static_cast<double>(request) / seconds_per_request;
  const double by_tags = slowest_idle == 0 ? by_link
                                           : static_cast<double>(dma.outstanding * request) /
                                                 (static_cast<double>(slowest_idle) / 1e12);
  std::cout << fmt::format(
      "  {:<34} {:<20} (the link's completions allow {}, {} tags over the "
      "slowest idle read {})\n",
      fmt::format("streaming {}-byte reads", request), rate(std::min(by_link, by_tags)),
      rate(by_link), dma.outstanding, rate(by_tags));
  std::cout << fmt::format("  {:<34} {:<20} (posted: the link's pace)\n",
                           fmt::format("streaming {}-byte writes", request),
                           rate(static_cast<double>(request) /
                                (static_cast<double>(link.write_time(request)) / 1e12)));
}

void print(const platform::Preset& preset, const platform::PlatformSpec& spec,
           const platform::Topology& topology) {
  const uint64_t cores = spec.params.count("cpu.cores");
  const std::string all_cores = cores > 1 ? fmt::format("cpu0..{}", cores - 1) : "cpu0";
  auto label = [&](const platform::Component& c) {
    return stands_for_others(c) ? all_cores : c.name;
  };
  std::cout << fmt::format("platform {}: {}\n\ncomponents\n", preset.name, preset.summary);
  for (const platform::Component& c : topology.components())
    if (!stood_for(c))
      std::cout << fmt::format("  {:<12} {:<7} {}\n", label(c), platform::to_string(c.kind),
                               c.detail);
  std::cout << "\nlinks (what the target adds to an idle 64-byte read)\n";
  const auto& g = topology.graph();
  for (auto [e, end] = boost::edges(g); e != end; ++e) {
    const platform::Component& from = g[boost::source(*e, g)];
    if (stood_for(from)) continue;
    std::cout << fmt::format("  {:<24} {:<34} {}\n",
                             label(from) + " -> " + g[boost::target(*e, g)].name, g[*e].carries,
                             nanoseconds(g[*e].latency));
  }
  std::cout << "\nidle paths to memory (one 64-byte read)\n";
  for (const platform::Component& c : topology.components()) {
    if ((c.kind != platform::ComponentKind::cpu && c.kind != platform::ComponentKind::iommu) ||
        stood_for(c))
      continue;
    for (const platform::IdlePath& path : topology.idle_paths(c.name))
      std::cout << fmt::format("  {:<32} {:<34} {}\n", fmt::format("{}", fmt::join(path.hops, " -> ")),
                               path.via, nanoseconds(path.latency));
  }
  print_device_link(spec, topology);
  std::cout << "\nparameters\n";
  for (const auto& [name, spec_entry] : platform::catalog().specs())
    std::cout << fmt::format("  {:<22} {}\n", name, spec.params.text(name));
}

}  // namespace

int platform_command(const PlatformArgs& args) {
  const std::string name = args.preset.text.empty() ? "default" : args.preset.text;
  if (const auto unknown = platform::unknown_preset(name)) {
    command_line_error(args.preset.column, *unknown);
    return kExitBadInput;
  }
  if (!args.dot.text.empty() && args.dot.text != "-" && !output_writable(args.dot, "--dot"))
    return kExitBadInput;
  yaml::Diagnostics diags;
  auto preset = platform::load_preset(name, diags);
  for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
  if (!preset) return kExitBadInput;

  platform::PlatformSpec spec;
  spec.preset = name;
  // load_preset checked every value.
  for (const auto& [param, text] : preset->params) spec.params.set(param, text);
  bool ok = true;
  for (const auto& problem : platform::inconsistencies(spec.params)) {
    std::cerr << fmt::format("{}: error: {}\n", platform::preset_path(name), problem);
    ok = false;
  }
  if (!ok) return kExitBadInput;
  spec.iommus = preset->iommus;

  // The platform is built (not run) to show how it is wired.
  models::CoherenceObserver nobody;
  const platform::Platform machine(spec, nobody);
  const platform::Topology& topology = machine.topology();
  if (args.dot.text == "-") {
    topology.write_dot(std::cout);
    return kExitOk;
  }
  print(*preset, spec, topology);
  if (!args.dot.text.empty()) {
    std::ofstream out(args.dot.text);
    topology.write_dot(out);
    if (!out) {
      command_line_error(args.dot.column, "--dot: cannot write " + args.dot.text);
      return kExitInternal;
    }
  }
  return kExitOk;
}

}  // namespace iocsim::app
