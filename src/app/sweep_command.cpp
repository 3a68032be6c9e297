// SPDX-License-Identifier: GPL-2.0-only
// `iocsim sweep STUDY.yaml`: every point of a study's grid in its own child
// process, `-j` at a time, each finished point appended to results.csv at
// once (so an interrupted sweep loses nothing and resumes where it stopped),
// then the plots. `--shard I/N` runs a slice of the grid, `--merge DIR...`
// combines the slices, `--plot-only DIR` redraws.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "app/child_run.h"
#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/progress.h"
#include "app/sweep_files.h"
#include "report/results_csv.h"
#include "scenario/loader.h"
#include "scenario/study.h"

namespace iocsim::app {
namespace {

namespace fs = std::filesystem;
using report::ResultsTable;

int fail(const std::string& message, int code) {
  std::cerr << "iocsim: error: " << message << "\n";
  return code;
}

// The scenario as this point configures it; diagnostics on stderr.
std::optional<scenario::Scenario> load_point(const scenario::Study& study,
                                             const scenario::StudyPoint& point,
                                             std::string& first_error) {
  scenario::LoadOptions options;
  for (size_t i = 0; i < study.grid.size(); ++i) {
    const scenario::GridAxis& axis = study.grid[i];
    const size_t v = static_cast<size_t>(
        std::find(axis.values.begin(), axis.values.end(), point.values[i]) - axis.values.begin());
    if (axis.is_var)
      options.vars.push_back({axis.name, point.values[i], axis.origins[v]});
    else
      options.sets.push_back({axis.name + "=" + point.values[i], 1});
  }
  yaml::Diagnostics diags;
  auto loaded = scenario::load_scenario(study.scenario, options, diags);
  if (!loaded) {
    for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
    first_error = diags.list().empty() ? "the scenario does not load"
                                       : diags.list().front().format();
  }
  return loaded;
}

std::vector<std::string> row_for(const scenario::Study& study, const scenario::StudyPoint& point,
                                 int exit_status, const std::string& error,
                                 const nlohmann::json& report) {
  std::vector<std::string> row{std::to_string(point.index)};
  row.insert(row.end(), point.values.begin(), point.values.end());
  if (!study.backends.empty()) row.push_back(point.backend);
  row.push_back(point.policy);
  row.push_back(std::to_string(point.seed));
  row.push_back(std::to_string(exit_status));
  row.push_back(error);
  for (const std::string& metric : study.metrics)
    row.push_back(report.is_null() ? "" : report::metric_value(report, metric));
  return row;
}

// Reads DIR/results.csv, creating it with `header` if absent; checks that an
// existing one has the same columns.
std::optional<ResultsTable> open_results(const std::string& path,
                                         const std::vector<std::string>& header,
                                         std::string& error) {
  auto table = report::read_results(path, error);
  if (!table) return std::nullopt;
  if (table->header.empty()) {
    if (!report::append_line(path, report::csv_line(header), error)) return std::nullopt;
    table->header = header;
  } else if (table->header != header) {
    error = fmt::format("{} has other columns than this study's; use another --out", path);
    return std::nullopt;
  }
  return table;
}

bool write_description(const std::string& dir, const scenario::Study& study,
                       const scenario::Scenario& base, std::string& error) {
  const std::string path = (fs::path(dir) / kStudyFile).string();
  std::ofstream out(path);
  out << study_description(study, base).dump(2) << "\n";
  if (!out) error = fmt::format("cannot write {}", path);
  return static_cast<bool>(out);
}

int plot(const std::string& dir, bool has_plots) {
  if (!has_plots) return kExitOk;
  std::string error;
  if (!draw_plots(dir, error))
    std::cerr << fmt::format("iocsim: warning: plots not drawn ({}); the CSV is complete, "
                             "`iocsim sweep --plot-only {}` redraws them\n",
                             error, dir);
  return kExitOk;
}

int merge(const SweepArgs& args) {
  if (args.out.empty()) return fail("--merge needs --out DIR for the merged results", 2);
  std::vector<std::string> header;
  nlohmann::json description;
  std::map<size_t, std::vector<std::string>> rows;  // by point index
  std::map<std::string, size_t> seen;               // point key -> index
  for (const std::string& dir : args.merge) {
    std::string error;
    const std::string path = (fs::path(dir) / kResultsFile).string();
    if (!fs::exists(path)) return fail(fmt::format("{}: no {}", dir, kResultsFile), 2);
    auto table = report::read_results(path, error);
    if (!table) return fail(error, 2);
    std::ifstream in(fs::path(dir) / kStudyFile);
    const nlohmann::json d = nlohmann::json::parse(in, nullptr, false);
    if (d.is_discarded()) return fail(fmt::format("{}: no readable {}", dir, kStudyFile), 2);
    if (header.empty()) {
      header = table->header;
      description = d;
    } else if (table->header != header || d != description) {
      return fail(fmt::format("{} comes from another study than {}", dir, args.merge.front()), 2);
    }
    for (auto& row : table->rows) {
      const std::string key = point_key(header, row);
      const size_t index = std::stoul(row[0]);
      auto [it, added] = seen.emplace(key, index);
      if (!added && rows[it->second] != row)
        return fail(fmt::format("point {} differs between the shards", row[0]), 2);
      rows[index] = std::move(row);
    }
  }
  fs::create_directories(args.out);
  const std::string out_csv = (fs::path(args.out) / kResultsFile).string();
  std::ofstream out(out_csv, std::ios::trunc);
  out << report::csv_line(header);
  for (const auto& [index, row] : rows) out << report::csv_line(row);
  std::ofstream(fs::path(args.out) / kStudyFile) << description.dump(2) << "\n";
  if (!out) return fail(fmt::format("cannot write {}", out_csv), 3);
  out.close();
  std::cout << fmt::format("merged {} points from {} directories into {}\n", rows.size(),
                           args.merge.size(), out_csv);
  return plot(args.out, !description["plots"].empty());
}

}  // namespace

int sweep_command(const SweepArgs& args) {
  if (!args.merge.empty()) return merge(args);
  if (!args.plot_only.empty()) {
    if (!fs::exists(fs::path(args.plot_only) / kStudyFile))
      return fail(fmt::format("{}: no {} (not a sweep's output directory)", args.plot_only,
                              kStudyFile),
                  2);
    std::string error;
    if (!draw_plots(args.plot_only, error)) return fail(error, 3);
    return kExitOk;
  }
  if (args.study.empty()) return fail("sweep needs a STUDY file, --merge or --plot-only", 2);

  yaml::Diagnostics diags;
  std::optional<std::vector<std::string>> backends;
  if (!args.backend.text.empty()) {
    if (!backend_option_valid(args.backend)) return kExitBadInput;
    backends = backend_option_values(args.backend);
  }
  auto study = scenario::load_study(args.study, diags, backends);
  for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
  if (!study) return kExitBadInput;
  // The scenario as its file says: its policy when the study names none, and
  // its preset and kernel base for the plots.
  yaml::Diagnostics scenario_diags;
  auto base = scenario::load_scenario(study->scenario, {}, scenario_diags);
  for (const auto& d : scenario_diags.list()) std::cerr << d.format() << "\n";
  if (!base) return kExitBadInput;
  if (study->policies.empty()) study->policies.push_back(base->kernel.policy);

  const std::string out_dir = args.out.empty() ? "sweeps/" + study->name : args.out;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail(fmt::format("cannot create {}: {}", out_dir, ec.message()), 2);
  std::string error;
  if (!write_description(out_dir, *study, *base, error)) return fail(error, 2);
  const std::string csv = (fs::path(out_dir) / kResultsFile).string();
  const std::vector<std::string> header = results_header(*study);
  auto done = open_results(csv, header, error);
  if (!done) return fail(error, 2);
  std::set<std::string> finished;
  for (const auto& row : done->rows) finished.insert(point_key(header, row));

  std::vector<scenario::StudyPoint> points;
  for (const auto& p : scenario::expand_grid(*study)) {
    if (p.index % args.shard_count != args.shard_index - 1) continue;
    auto row = row_for(*study, p, 0, "", nullptr);
    if (!finished.count(point_key(header, row))) points.push_back(p);
  }
  if (args.verbosity >= 0)
    std::cerr << fmt::format("{}: {} points to run, {} already in {}\n", study->name,
                             points.size(), done->rows.size(), csv);

  // Load every point's scenario first: a value that does not fit is recorded
  // as that point's bad input and the others still run.
  std::vector<std::optional<scenario::Scenario>> scenarios;
  scenarios.reserve(points.size());
  std::vector<ChildJob> jobs;
  std::vector<size_t> point_of_job;
  Progress progress(points.size(), args.verbosity >= 0);
  int worst = kExitOk;
  auto record = [&](const scenario::StudyPoint& p, int status, const std::string& why,
                    const nlohmann::json& report) {
    std::string append_error;
    if (!report::append_line(csv, report::csv_line(row_for(*study, p, status, why, report)),
                             append_error))
      throw std::runtime_error(append_error);
    worst = std::max(worst, status);
    progress.finished(status != kExitOk);
  };
  for (size_t i = 0; i < points.size(); ++i) {
    std::string why;
    scenarios.push_back(load_point(*study, points[i], why));
    if (!scenarios.back()) {
      record(points[i], kExitBadInput, why, nullptr);
      continue;
    }
    point_of_job.push_back(i);
    scenario::RunOptions options{points[i].policy, std::nullopt, points[i].seed};
    options.backend = points[i].backend;
    jobs.push_back({&*scenarios.back(), options, {}});
  }
  try {
    run_in_children(
        jobs, args.jobs,
        [&](size_t job, const ChildOutcome& outcome) {
          record(points[point_of_job[job]], outcome.exit_code, outcome.error, outcome.report);
        },
        Report::as_finished);
  } catch (const std::exception& e) {
    progress.close();
    return fail(e.what(), kExitInternal);
  }
  progress.close();
  if (args.verbosity >= 0)
    std::cerr << fmt::format("{}: results in {}\n", study->name, csv);
  plot(out_dir, !study->plots.empty());
  return worst;
}

}  // namespace iocsim::app
