// SPDX-License-Identifier: GPL-2.0-only
// The platform as a graph (Boost.Graph): components are vertices, and an edge
// A -> B says A sends requests to B. Built from a platform spec, it is
// checked before any model is instantiated (no cycles; every device reaches
// memory only through an IOMMU unit, and every unit reaches memory), gives
// the idle latency of a 64-byte read along every path to memory, and is
// written as Graphviz DOT by `iocsim platform --dot`.
//
// Edge weights are what the target adds to an idle read: a cache lookup (a
// CPU load or a device snoop), the DRAM's idle read (tRCD + tCL + burst: the
// row is closed and the bus free), or the device's link time for one line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "base/picos.h"

namespace iocsim::platform {

struct PlatformSpec;

enum class ComponentKind { cpu, cache, memory, iommu, device };

struct Component {
  std::string name;
  ComponentKind kind = ComponentKind::cpu;
  std::string detail;  // one line: what it is, in the preset's terms
};

struct Link {
  std::string carries;  // what travels on it
  Picos latency = 0;
};

struct IdlePath {
  std::vector<std::string> hops;  // from the initiator to memory
  std::string via;                // what the initiator's first link carries
  Picos latency = 0;
};

class Topology {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Component,
                                      Link>;

  explicit Topology(const PlatformSpec& spec);

  // What is wrong with the platform, in words; empty if nothing.
  std::vector<std::string> problems() const;
  // Every path from the component to memory, fastest first.
  std::vector<IdlePath> idle_paths(const std::string& from) const;
  // Components in the order they were added: the CPU, its cache, memory,
  // units, devices.
  std::vector<Component> components() const;
  void write_dot(std::ostream& out) const;

  const Graph& graph() const { return g_; }

 private:
  using Vertex = Graph::vertex_descriptor;

  Vertex add(const std::string& name, ComponentKind kind, std::string detail);
  void link(Vertex from, Vertex to, std::string carries, Picos latency);
  Vertex find(const std::string& name) const;
  void walk(Vertex v, IdlePath& path, std::vector<IdlePath>& out) const;

  Graph g_;
  Vertex memory_ = 0;
};

const char* to_string(ComponentKind kind);

}  // namespace iocsim::platform
