// SPDX-License-Identifier: GPL-2.0-only
// The platform as a graph (Boost.Graph), made from the sockets a platform
// actually binds: its models are vertices, and every bind through
// Topology::bind both binds the initiator socket to the target socket and
// adds an edge from the initiator's model to the target's. Checked once the
// platform is wired (no cycles; every device reaches memory only through an
// IOMMU unit, and every unit and core reaches memory), it gives the idle
// latency of a 64-byte read along every path to memory and is written as
// Graphviz DOT by `iocsim platform --dot`.
//
// Edge weights are what the target adds to an idle read: a lookup of the
// cache hierarchy (from a core: its private levels and the LLC; from a
// device: the LLC), the DRAM's idle read (tRCD + tCL + burst: the row is
// closed and the bus free), or the device's link time for one line.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <systemc>

#include "base/picos.h"

namespace iocsim::platform {

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

  // A model of the platform, before anything binds to it.
  void add(const sc_core::sc_object& model, ComponentKind kind, std::string detail);
  // Binds `initiator` to `target`: their models are linked, the initiator's
  // to the target's, by what the link carries and what the target adds to an
  // idle read.
  template <typename Initiator, typename Target>
  void bind(Initiator& initiator, Target& target, std::string carries, Picos latency) {
    initiator.bind(target);
    link(*initiator.get_parent_object(), *target.get_parent_object(), std::move(carries),
         latency);
  }

  // What is wrong with the platform, in words; empty if nothing.
  std::vector<std::string> problems() const;
  // Every path from the component to memory, fastest first.
  std::vector<IdlePath> idle_paths(const std::string& from) const;
  // Components in the order they were added.
  std::vector<Component> components() const;
  void write_dot(std::ostream& out) const;

  const Graph& graph() const { return g_; }

 private:
  using Vertex = Graph::vertex_descriptor;

  void link(const sc_core::sc_object& from, const sc_core::sc_object& to, std::string carries,
            Picos latency);
  Vertex vertex(const sc_core::sc_object& model) const;
  Vertex find(const std::string& name) const;
  void walk(Vertex v, IdlePath& path, std::vector<IdlePath>& out) const;

  Graph g_;
  std::map<const sc_core::sc_object*, Vertex> vertices_;
};

const char* to_string(ComponentKind kind);

}  // namespace iocsim::platform
