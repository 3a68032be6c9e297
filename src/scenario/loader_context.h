// SPDX-License-Identifier: GPL-2.0-only
// Shared state of one scenario load (internal to the loader's files and the
// step families' parse functions).
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
  // A container named by a step; `must_exist`: opened by an earlier step.
  std::optional<std::string> container(const YAML::Node& node, bool must_exist);
  // The container an `open` step names, which no earlier step opened.
  std::optional<std::string> open_container(const YAML::Node& node);
  std::optional<uint64_t> address(const YAML::Node& node, std::string_view what) const;
  TagId tag(const std::string& label);
  // A spawn step (at `index`) runs until the step named by `until`, which
  // must be a later one (checked once every step is loaded).
  void actor_runs_until(size_t index, const YAML::Node& until);

  yaml::Reader& r;
  Scenario& s;

 private:
  std::optional<Step> load_step(const YAML::Node& node, size_t index);
  // step_expect_loader.cpp
  void load_step_expect(const YAML::Node& node, Step& step);
  // After every step is loaded: the names actors run until must be of later steps.
  void check_spawn_limits();

  std::set<std::string> containers_;  // opened so far, in step order
  std::vector<std::pair<size_t, YAML::Node>> spawn_until_;  // step index, `until` node
};

}  // namespace iocsim::scenario::detail
