// SPDX-License-Identifier: GPL-2.0-only
// `iocsim diff A.json B.json`: what differs between two JSON reports
// (docs/format.md 5) -- the inputs they were run with (scenario, policy,
// kernel, seed, build, every resolved parameter and variable), the
// counters, the windows by kind, the flush cost in total and by site, the
// simulated time, the expectations and the invariants. Reports of `--policy
// all` are compared run by run, matched by policy.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace iocsim::report {

// A JSON document that is not an iocsim report: `what()` names the field.
struct NotAReport : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws NotAReport unless `report` is a run's report or a `--policy all`
// one with the fields the comparison reads.
void check_report(const nlohmann::json& report);

struct ReportDiff {
  std::string text;
  bool differs = false;  // some input or compared value differs
};

// Both checked by check_report(); `a_name` and `b_name` say which is which.
// With `every_row`, values that agree are listed too.
ReportDiff diff_reports(const nlohmann::json& a, const nlohmann::json& b,
                        const std::string& a_name, const std::string& b_name, bool every_row);

}  // namespace iocsim::report
