// SPDX-License-Identifier: GPL-2.0-only
#include "platform/topology.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>

#include "base/units.h"
#include "platform/platform.h"

namespace iocsim::platform {

const char* to_string(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::cpu: return "cpu";
    case ComponentKind::cache: return "cache";
    case ComponentKind::memory: return "memory";
    case ComponentKind::iommu: return "iommu";
    case ComponentKind::device: return "device";
  }
  return "?";
}

namespace {

std::string pgsizes(uint64_t bitmap) {
  std::vector<std::string> sizes;
  for (unsigned bit = 0; bit < 64; ++bit)
    if (bitmap & (uint64_t{1} << bit)) sizes.push_back(units::format_size(uint64_t{1} << bit));
  return fmt::format("{}", fmt::join(sizes, "|"));
}

}  // namespace

Topology::Vertex Topology::add(const std::string& name, ComponentKind kind, std::string detail) {
  return boost::add_vertex(Component{name, kind, std::move(detail)}, g_);
}

void Topology::link(Vertex from, Vertex to, std::string carries, Picos latency) {
  boost::add_edge(from, to, Link{std::move(carries), latency}, g_);
}

Topology::Topology(const PlatformSpec& spec) {
  const params::Set& p = spec.params;
  const Picos lookup = p.picos("llc.hit_latency");
  const Picos dram =
      p.picos("memory.tRCD") + p.picos("memory.tCL") + p.picos("memory.burst");
  const Vertex cpu = add("cpu0", ComponentKind::cpu,
                         fmt::format("{} MHz, flushes with {}; core 0 of {}",
                                     p.frequency("cpu.freq") / 1'000'000, p.text("cpu.flush"),
                                     p.count("cpu.cores")));
  const Vertex llc = add("llc", ComponentKind::cache,
                         fmt::format("{}, {} ways, LRU, write-back, {}",
                                     units::format_size(p.size("llc.size")), p.count("llc.ways"),
                                     p.flag("llc.inclusive") ? "inclusive" : "non-inclusive"));
  memory_ = add("memory", ComponentKind::memory,
                fmt::format("{}, {} channels x {} banks, {} rows",
                            units::format_size(p.size("memory.size")), p.count("memory.channels"),
                            p.count("memory.bank_groups") * p.count("memory.banks_per_group"),
                            units::format_size(p.size("memory.row_size"))));
  // Core 0's private levels stand for every core's.
  Vertex inner = cpu;
  for (const char* level : {"l1d", "l2"}) {
    const std::string name = level;
    if (p.size(name + ".size") == 0) continue;
    const Vertex v = add("cpu0." + name, ComponentKind::cache,
                         fmt::format("{}, {} ways, LRU, write-back, private",
                                     units::format_size(p.size(name + ".size")),
                                     p.count(name + ".ways")));
    link(inner, v, inner == cpu ? "loads, stores, cache maintenance" : "misses, victims",
         p.picos(name + ".hit_latency"));
    inner = v;
  }
  link(inner, llc, inner == cpu ? "loads, stores, cache maintenance" : "misses, victims", lookup);
  link(llc, memory_, "fills, write-backs", dram);
  for (const UnitSpec& u : spec.iommus) {
    const auto& c = u.config;
    const Vertex unit = add(
        u.name, ComponentKind::iommu,
        fmt::format("{}, {}, pages {}, {}-level tables, {} walks", c.driver,
                    c.snoop_control ? "snoop control" : "no snoop control", pgsizes(c.pgsize_bitmap),
                    c.levels, c.coherent_walk ? "coherent" : "non-coherent"));
    link(unit, llc, "snooped DMA", lookup);
    link(unit, memory_, "No-Snoop DMA", dram);
  }
  for (const DeviceSpec& d : spec.devices) {
    const Vertex device = add(d.name, ComponentKind::device,
                              fmt::format("stream {}, group {}", d.stream_id, d.group));
    const Vertex unit = find(d.iommu);
    if (unit != boost::graph_traits<Graph>::null_vertex())
      link(device, unit, "DMA requests", p.picos("dma.link_line_time"));
  }
}

Topology::Vertex Topology::find(const std::string& name) const {
  for (auto [v, end] = boost::vertices(g_); v != end; ++v)
    if (g_[*v].name == name) return *v;
  return boost::graph_traits<Graph>::null_vertex();
}

std::vector<std::string> Topology::problems() const {
  std::vector<std::string> out;
  std::vector<Vertex> order;
  try {
    boost::topological_sort(g_, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    out.push_back("the platform has a cycle: requests could travel in a loop");
  }
  for (auto [v, end] = boost::vertices(g_); v != end; ++v) {
    const Component& c = g_[*v];
    if (c.kind == ComponentKind::device) {
      for (auto [e, e_end] = boost::out_edges(*v, g_); e != e_end; ++e)
        if (g_[boost::target(*e, g_)].kind != ComponentKind::iommu)
          out.push_back(fmt::format("device {} reaches {} without an IOMMU", c.name,
                                    g_[boost::target(*e, g_)].name));
    }
    if (c.kind != ComponentKind::device && c.kind != ComponentKind::iommu &&
        c.kind != ComponentKind::cpu)
      continue;
    // Reachability of memory, by breadth-first search from the component.
    std::vector<boost::default_color_type> color(boost::num_vertices(g_));
    auto colors = boost::make_iterator_property_map(color.begin(),
                                                    boost::get(boost::vertex_index, g_));
    boost::breadth_first_search(g_, *v, boost::color_map(colors));
    if (color[memory_] == boost::white_color)
      out.push_back(fmt::format("{} {} does not reach memory", to_string(c.kind), c.name));
  }
  return out;
}

void Topology::walk(Vertex v, IdlePath& path, std::vector<IdlePath>& out) const {
  if (v == memory_) {
    out.push_back(path);
    return;
  }
  for (auto [e, end] = boost::out_edges(v, g_); e != end; ++e) {
    const Vertex next = boost::target(*e, g_);
    if (path.hops.size() == 1) path.via = g_[*e].carries;
    path.hops.push_back(g_[next].name);
    path.latency += g_[*e].latency;
    walk(next, path, out);
    path.latency -= g_[*e].latency;
    path.hops.pop_back();
  }
}

std::vector<IdlePath> Topology::idle_paths(const std::string& from) const {
  const Vertex start = find(from);
  if (start == boost::graph_traits<Graph>::null_vertex())
    throw std::logic_error("no component " + from);
  std::vector<IdlePath> out;
  IdlePath path;
  path.hops.push_back(from);
  walk(start, path, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const IdlePath& a, const IdlePath& b) { return a.latency < b.latency; });
  return out;
}

std::vector<Component> Topology::components() const {
  std::vector<Component> out;
  for (auto [v, end] = boost::vertices(g_); v != end; ++v) out.push_back(g_[*v]);
  return out;
}

void Topology::write_dot(std::ostream& out) const {
  auto vertex_label = [this](std::ostream& os, Vertex v) {
    const Component& c = g_[v];
    const char* shape = c.kind == ComponentKind::memory  ? "cylinder"
                        : c.kind == ComponentKind::iommu ? "hexagon"
                        : c.kind == ComponentKind::device ? "component"
                                                          : "box";
    os << "[label=" << boost::escape_dot_string(c.name + "\\n" + c.detail) << ", shape=" << shape
       << "]";
  };
  auto edge_label = [this](std::ostream& os, Graph::edge_descriptor e) {
    const Link& l = g_[e];
    os << "[label="
       << boost::escape_dot_string(fmt::format("{}\\n{:.2f} ns", l.carries, l.latency / 1000.0))
       << "]";
  };
  boost::write_graphviz(out, g_, vertex_label, edge_label);
}

}  // namespace iocsim::platform
