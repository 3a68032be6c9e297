// SPDX-License-Identifier: GPL-2.0-only
// Platform presets (platform/presets/NAME.yaml, or any YAML file): parameter
// values with their sources, the IOMMU units, and the reserved regions every
// IOMMU group reports unless a scenario says otherwise.
//
//   preset: NAME
//   summary: TEXT
//   inherits: default        # optional: start from another preset
//   params: {NAME: VALUE, ...}
//   iommus: {UNIT: {driver, snoop_control, pgsizes, aperture, split_on_unmap, levels,
//                   coherent_walk, aliases}, ...}
//   reserved: [[START, END] | {range: [START, END], type: TYPE}, ...]
//
// In a preset that inherits, `iommus: {UNIT: ~}` removes an inherited unit,
// and `reserved` replaces the inherited list.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/params.h"
#include "platform/platform_spec.h"
#include "platform/yaml_reader.h"
#include "vfio/iommu_core.h"

namespace iocsim::platform {

struct Preset {
  std::string name;                 // as given: a preset name or a file path
  std::string summary;
  std::map<std::string, std::string> params;  // name -> value text
  std::vector<UnitSpec> iommus;
  std::vector<vfio::ResvRegion> reserved;
};

// The file a preset name refers to (a path is returned as is).
std::string preset_path(const std::string& name_or_path);
// The names of the bundled presets (platform/presets/*.yaml).
std::vector<std::string> preset_names();
// The problem with `name_or_path` if it names no bundled preset (a path is
// not checked here: loading it reports what is wrong), with a suggestion.
std::optional<std::string> unknown_preset(const std::string& name_or_path);

// Reads a preset (following `inherits`); nullopt after reporting problems.
std::optional<Preset> load_preset(const std::string& name_or_path, yaml::Diagnostics& diags);

// Parses one IOMMU unit named `unit`. With `base`, keys override it (all
// optional); without, driver, pgsizes and aperture are required.
std::optional<UnitSpec> parse_iommu_unit(const yaml::Reader& reader, const YAML::Node& node,
                                         const std::string& unit, const UnitSpec* base);

// One `NAME: VALUE` entry of a parameter map, set on `set`: the name and the
// value as written, or nullopt once the problem is reported where it is (at
// the value if the parameter exists, else at the name). `refuse`, if given,
// says why a name that exists may not be set here (or nullopt if it may).
using ParamRefusal = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::pair<std::string, std::string>> set_param(const yaml::Reader& reader,
                                                             const YAML::Node& name,
                                                             const YAML::Node& value,
                                                             params::Set& set,
                                                             const ParamRefusal& refuse = {});

// [[A, B], {range: [A, B], type: T}, ...] with inclusive ends.
std::optional<std::vector<vfio::ResvRegion>> parse_reserved(const yaml::Reader& reader,
                                                            const YAML::Node& node);

std::string to_string(vfio::ResvType type);

}  // namespace iocsim::platform
