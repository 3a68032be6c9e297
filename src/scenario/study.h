// SPDX-License-Identifier: GPL-2.0-only
// An architecture what-if study (docs/format.md 7): one scenario, a grid of
// platform parameters and scenario variables, backends, policies, seeds, the
// metrics to record and the plots to draw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/yaml_reader.h"

namespace iocsim::scenario {

struct GridAxis {
  std::string name;
  bool is_var = false;  // a scenario variable, else a platform parameter
  std::vector<std::string> values;
  std::vector<std::string> origins;  // "FILE:LINE:COL" of each value
};

// Every axis that varies (policy included) is the x axis, part of the
// series, or draws a panel of its own, so no line averages over something the
// reader cannot see; only seeds are averaged.
struct PlotSpec {
  std::string x, y;
  std::vector<std::string> series;   // one line per combination; empty: one line
  std::vector<std::string> panels;   // the other varying axes: a panel per combination
  std::optional<bool> log_x, log_y;  // unset: decided from the data
};

struct Study {
  std::string file;
  std::string name;
  std::string scenario;  // path of the scenario file
  std::vector<std::string> policies;
  // The VFIO backends every container is opened on, one run each (names of
  // kBackendNames); empty: each open step's own, and no backend column.
  std::vector<std::string> backends;
  std::vector<GridAxis> grid;
  std::vector<uint64_t> seeds{1};
  std::vector<std::string> metrics;
  std::vector<PlotSpec> plots;
};

// One point of the grid: a value per axis, a backend, a policy and a seed.
struct StudyPoint {
  size_t index = 0;  // in grid order
  std::vector<std::string> values;
  std::string backend;  // "" when the study names none
  std::string policy;
  uint64_t seed = 1;
};

// Every problem goes to `diags` (exit 2, nothing run). `backends`, when
// given (sweep --backend), replaces the study's own.
std::optional<Study> load_study(const std::string& path, yaml::Diagnostics& diags,
                                std::optional<std::vector<std::string>> backends = std::nullopt);

// The cartesian product of the axes (the first varies slowest), then
// backends, then policies, then seeds.
std::vector<StudyPoint> expand_grid(const Study& study);

// The metrics a study may record: every end-of-run counter of the report,
// or `stats.COMPONENT.COUNTER`.
bool known_metric(const std::string& name);
// How plots name a known metric: the text report's words for it ("leaks
// (lines)", "flush CPU time at map", "longest window"); the key itself for
// `stats.` and `steps.` metrics.
std::string metric_label(const std::string& name);

}  // namespace iocsim::scenario
