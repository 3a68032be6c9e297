// SPDX-License-Identifier: GPL-2.0-only
// Scenario variables, so one scenario serves a whole sweep:
//
//   vars: {guest: 2MiB}
//   steps:
//     - touch: {as: vm-b, va: 0x7f1000000000, size: $guest}
//
// A scalar that starts with `$` names a variable and takes its value (its
// default from `vars`, or an override from a study) before the scenario is
// read, so every check of the value applies as if it had been written there,
// and problems with it point at the `$NAME`. (Not `${NAME}`: braces end a
// plain scalar inside YAML's {flow mappings}.)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "platform/yaml_reader.h"

namespace iocsim::scenario {

struct VarOverride {
  std::string name;
  std::string value;
  std::string origin;  // "study.yaml:5:10", named in messages about the value
  // Given as `--var NAME=VALUE` at this column: a problem with it is the
  // command line's.
  int command_line_column = 0;
};

// Reads `vars`, applies `overrides` and substitutes every `$NAME` below
// `root` (the `vars` mapping itself excepted). Reports unknown variables and
// unknown overrides and returns false then: the caller stops, rather than
// report each `$NAME` left in place a second time as a bad value. `values`
// gets the value each variable took.
bool substitute_vars(const yaml::Reader& r, YAML::Node root,
                     const std::vector<VarOverride>& overrides,
                     std::map<std::string, std::string>& values);

// The variables a scenario file declares (empty if it does not parse).
std::vector<std::string> declared_vars(const std::string& path);

}  // namespace iocsim::scenario
