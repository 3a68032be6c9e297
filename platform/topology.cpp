// SPDX-License-Identifier: GPL-2.0-only
#include "platform/topology.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>

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

void Topology::add(const sc_core::sc_object& model, ComponentKind kind, std::string detail) {
  vertices_[&model] = boost::add_vertex(Component{model.basename(), kind, std::move(detail)}, g_);
}

Topology::Vertex Topology::vertex(const sc_core::sc_object& model) const {
  auto it = vertices_.find(&model);
  if (it == vertices_.end())
    throw std::logic_error(std::string("a socket of ") + model.name() +
                           " was bound before the model was added to the topology");
  return it->second;
}

void Topology::link(const sc_core::sc_object& from, const sc_core::sc_object& to,
                    std::string carries, Picos latency) {
  boost::add_edge(vertex(from), vertex(to), Link{std::move(carries), latency}, g_);
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
    bool reaches = false;
    for (auto [m, m_end] = boost::vertices(g_); m != m_end; ++m)
      reaches = reaches || (g_[*m].kind == ComponentKind::memory && color[*m] != boost::white_color);
    if (!reaches)
      out.push_back(fmt::format("{} {} does not reach memory", to_string(c.kind), c.name));
  }
  return out;
}

void Topology::walk(Vertex v, IdlePath& path, std::vector<IdlePath>& out) const {
  if (g_[v].kind == ComponentKind::memory) {
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
