// SPDX-License-Identifier: GPL-2.0-only
// Shared state of one scenario load (internal to the loader's files).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "platform/yaml_reader.h"
#include "scenario/scenario.h"

namespace iocsim::scenario::detail {

// A step operation: its argument keys, and whether it acts on a container
// (then kernel-state expectations apply).
struct OpInfo {
  std::string name;
  std::vector<std::string> keys;
  bool container;
};
const OpInfo* find_op(const std::string& name);

class StepArgsReader;

class LoaderContext {
 public:
  LoaderContext(yaml::Reader& reader, Scenario& scenario) : r(reader), s(scenario) {}

  // step_loader.cpp
  void load_steps(const YAML::Node& steps);

  // Lookups that report unknown names at `at`.
  std::optional<size_t> principal(const YAML::Node& at, std::string_view what) const;
  std::optional<size_t> device(const YAML::Node& at) const;
  std::optional<std::string> container(const YAML::Node& node, bool must_exist);
  std::optional<uint64_t> address(const YAML::Node& node, std::string_view what) const;
  TagId tag(const std::string& label);

  yaml::Reader& r;
  Scenario& s;

 private:
  std::optional<Step> load_step(const YAML::Node& node, size_t index);
  bool load_args(const std::string& op, const YAML::Node& args, Step& step);
  // Each returns false if `op` is not one of its operations.
  bool load_memory_args(const std::string& op, StepArgsReader& a, Step& step);
  bool load_vfio_args(const std::string& op, StepArgsReader& a, Step& step);
  bool load_device_args(const std::string& op, StepArgsReader& a, Step& step);
  void load_spawn_args(StepArgsReader& a, Step& step);
  size_t dma_device(StepArgsReader& a);
  // step_expect_loader.cpp
  void load_step_expect(const YAML::Node& node, Step& step);
  // After every step is loaded: the names actors run until must be of later steps.
  void check_spawn_limits();

  std::set<std::string> containers_;  // opened so far, in step order
  std::vector<std::pair<size_t, YAML::Node>> spawn_until_;  // step index, `until` node
};

}  // namespace iocsim::scenario::detail
