// SPDX-License-Identifier: GPL-2.0-only
// Loading a scenario file: YAML -> a validated Scenario, or diagnostics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "platform/yaml_reader.h"
#include "scenario/scenario.h"
#include "scenario/scenario_vars.h"

namespace iocsim::scenario {

struct LoadOptions {
  std::optional<std::string> platform;  // --platform: replaces the scenario's preset
  int platform_column = 1;              // where --platform's value starts
  // --set KEY=VALUE, applied last, with the column of each in the command line.
  struct Set {
    std::string text;
    int column = 1;
  };
  std::vector<Set> sets;
  // Values for the scenario's `vars` (a sweep's grid, or --var).
  std::vector<VarOverride> vars;
};

// Every problem is reported to `diags` (nothing is simulated then).
std::optional<Scenario> load_scenario(const std::string& path, const LoadOptions& options,
                                      yaml::Diagnostics& diags);

}  // namespace iocsim::scenario
