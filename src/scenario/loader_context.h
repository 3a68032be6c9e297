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

class LoaderContext {
 public:
  LoaderContext(yaml::Reader& reader, Scenario& scenario) : r(reader), s(scenario) {}

  // step_loader.cpp
  void load_steps(const YAML::Node& steps);

  // Lookups that report unknown names at `at`.
  std::optional<size_t> principal(const YAML::Node& at, std::string_view what) const;
  std::optional<size_t> device(const YAML::Node& at) const;
  TagId tag(const std::string& label);

  yaml::Reader& r;
  Scenario& s;

 private:
  std::optional<Step> load_step(const YAML::Node& node, size_t index);
  bool load_args(const std::string& op, const YAML::Node& args, Step& step);
  void load_step_expect(const YAML::Node& node, Step& step);
  std::optional<std::string> container(const YAML::Node& node, bool must_exist);
  std::optional<uint64_t> address(const YAML::Node& node, std::string_view what) const;

  std::set<std::string> containers_;  // opened so far, in step order
};

}  // namespace iocsim::scenario::detail
