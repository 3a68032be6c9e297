// SPDX-License-Identifier: GPL-2.0-only
// What a sweep leaves in its output directory:
//   results.csv  one row per finished point (report/results_csv.h)
//   study.json   the columns, the axes with their values as numbers where
//                they have units, the metrics' labels and quantities, the
//                plots, and what they ran on (scenario, preset, kernel base,
//                seeds, the commit iocsim was built from): all the plot
//                script and --merge need, without the study file
//   *.svg        one per plot, drawn by tools/plot-study
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/scenario.h"
#include "scenario/study.h"

namespace iocsim::app {

inline constexpr const char* kResultsFile = "results.csv";
inline constexpr const char* kStudyFile = "study.json";

// point, one column per axis, backend (if the study names backends), policy,
// seed, exit_status, error, the metrics.
std::vector<std::string> results_header(const scenario::Study& study);
// Columns that identify a point (all before exit_status but `point`).
std::string point_key(const std::vector<std::string>& header, const std::vector<std::string>& row);

// `base`: the study's scenario as its file says (its preset and kernel base
// annotate the plots).
nlohmann::json study_description(const scenario::Study& study, const scenario::Scenario& base);

// Draws the plots of `dir` with tools/plot-study; false (and `error`) if it
// could not.
bool draw_plots(const std::string& dir, std::string& error);

}  // namespace iocsim::app
