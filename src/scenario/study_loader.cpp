// SPDX-License-Identifier: GPL-2.0-only
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "analysis/flush_ledger.h"
#include "analysis/hazards.h"
#include "base/spelling.h"
#include "platform/catalog.h"
#include "scenario/backends.h"
#include "scenario/expectations.h"
#include "scenario/scenario_vars.h"
#include "scenario/study.h"
#include "vfio/flush_policy.h"
#include "vfio/flush_sites.h"

namespace iocsim::scenario {
namespace {

namespace fs = std::filesystem;

std::string origin(const yaml::Reader& r, const YAML::Node& node) {
  return fmt::format("{}:{}:{}", r.file(), node.Mark().line + 1, node.Mark().column + 1);
}

// Relative to the working directory (as in docs/format.md's example), else to
// the study file's directory.
std::optional<std::string> resolve_scenario(const yaml::Reader& r, const YAML::Node& node) {
  auto path = r.string(node, "scenario");
  if (!path) return std::nullopt;
  std::error_code ec;
  if (fs::is_regular_file(*path, ec)) return *path;
  const fs::path beside = fs::path(r.file()).parent_path() / *path;
  if (fs::is_regular_file(beside, ec)) return beside.string();
  r.error(node, fmt::format("no scenario file '{}' (looked in the working directory and beside "
                            "the study)",
                            *path));
  return std::nullopt;
}

std::vector<std::string> policies(const yaml::Reader& r, const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node.IsSequence()) {
    if (node.IsScalar() && node.Scalar() == "all") return vfio::policy_names();
    r.error(node, "policies is a list of policy names, or all");
    return out;
  }
  for (const auto& item : node)
    if (auto p = r.choice(item, "policy", vfio::policy_names())) out.push_back(*p);
  if (out.empty()) r.error(node, "policies may not be empty");
  return out;
}

std::vector<std::string> backends(const yaml::Reader& r, const YAML::Node& node) {
  const std::vector<std::string> names(std::begin(kBackendNames), std::end(kBackendNames));
  std::vector<std::string> out;
  if (!node.IsSequence()) {
    if (node.IsScalar() && node.Scalar() == "all") return names;
    r.error(node, "backends is a list of backend names (type1, iommufd), or all");
    return out;
  }
  for (const auto& item : node)
    if (auto b = r.choice(item, "backend", names)) out.push_back(*b);
  if (out.empty()) r.error(node, "backends may not be empty");
  return out;
}

void load_grid(const yaml::Reader& r, const YAML::Node& node, const std::vector<std::string>& vars,
               Study& study) {
  if (!r.expect_map(node, "grid")) return;
  r.unique_keys(node);
  const params::Catalog& catalog = platform::catalog();
  std::vector<std::string> names = vars;
  for (const std::string& p : catalog.names()) names.push_back(p);
  for (const auto& kv : node) {
    auto name = r.name(kv.first, "grid parameter", true);
    if (!name) continue;
    GridAxis axis;
    axis.name = *name;
    axis.is_var = std::find(vars.begin(), vars.end(), *name) != vars.end();
    if (!axis.is_var && !catalog.find(*name)) {
      r.error(kv.first, fmt::format("'{}' is neither a platform parameter nor a variable of the "
                                    "scenario{}",
                                    *name, did_you_mean(*name, names)));
      continue;
    }
    const YAML::Node list = kv.second;
    if (!list.IsSequence() || list.size() == 0) {
      r.error(list, fmt::format("grid '{}' needs a non-empty list of values", *name));
      continue;
    }
    for (const auto& value : list) {
      auto text = r.string(value, *name);
      if (!text) continue;
      if (!axis.is_var) {
        // Checked alone here; how it fits with the other parameters is
        // checked when each point's scenario loads.
        params::Set probe(catalog, platform::kClockParam);
        if (auto error = probe.set(*name, *text)) {
          r.error(value, *error);
          continue;
        }
      }
      if (std::find(axis.values.begin(), axis.values.end(), *text) != axis.values.end()) {
        r.error(value, fmt::format("'{}' appears twice in grid '{}'", *text, *name));
        continue;
      }
      axis.values.push_back(*text);
      axis.origins.push_back(origin(r, value));
    }
    if (!axis.values.empty()) study.grid.push_back(std::move(axis));
  }
}

void load_metrics(const yaml::Reader& r, const YAML::Node& node, Study& study) {
  if (!node.IsSequence() || node.size() == 0) {
    r.error(node, "metrics is a non-empty list of report keys");
    return;
  }
  std::vector<std::string> keys = run_keys();
  for (const auto& item : node) {
    auto metric = r.string(item, "metric");
    if (!metric) continue;
    if (!known_metric(*metric)) {
      r.error(item, fmt::format("unknown metric '{}'{} (a counter of the report, "
                                "stats.COMPONENT.COUNTER, or "
                                "steps.NAME.start_ns|end_ns|duration_ns)",
                                *metric, did_you_mean(*metric, keys)));
      continue;
    }
    if (std::find(study.metrics.begin(), study.metrics.end(), *metric) != study.metrics.end()) {
      r.error(item, fmt::format("metric '{}' is listed twice", *metric));
      continue;
    }
    study.metrics.push_back(*metric);
  }
}

// The axes that take more than one value in this study.
std::vector<std::string> varying_axes(const Study& study) {
  std::vector<std::string> out;
  for (const GridAxis& a : study.grid)
    if (a.values.size() > 1) out.push_back(a.name);
  if (study.backends.size() > 1) out.push_back("backend");
  if (study.policies.size() > 1) out.push_back("policy");
  return out;
}

void load_plots(const yaml::Reader& r, const YAML::Node& node, Study& study) {
  if (!node.IsSequence()) {
    r.error(node, "plots is a list of {x, y, series}");
    return;
  }
  std::vector<std::string> axes{"policy", "seed"};
  if (!study.backends.empty()) axes.push_back("backend");
  for (const GridAxis& a : study.grid) axes.push_back(a.name);
  auto pick = [&](const YAML::Node& at, const char* key, const std::vector<std::string>& allowed,
                  const char* what) -> std::optional<std::string> {
    auto v = r.string(at, key);
    if (!v) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
    r.error(at, fmt::format("{}: '{}' is not {}{}", key, *v, what, did_you_mean(*v, allowed)));
    return std::nullopt;
  };
  for (const auto& item : node) {
    if (!r.expect_map(item, "a plot")) continue;
    r.check_keys(item, {"x", "y", "series", "log_x", "log_y"}, "a plot");
    if (!item["x"] || !item["y"]) {
      r.error(item, "a plot needs x and y");
      continue;
    }
    PlotSpec plot;
    auto x = pick(item["x"], "x", axes, "a grid parameter, backend, policy or seed");
    auto y = pick(item["y"], "y", study.metrics, "one of the study's metrics");
    bool ok = x && y;
    if (x) plot.x = *x;
    if (y) plot.y = *y;
    if (const YAML::Node series = item["series"]) {
      const std::vector<YAML::Node> names =
          series.IsSequence() ? std::vector<YAML::Node>(series.begin(), series.end())
                              : std::vector<YAML::Node>{series};
      for (const YAML::Node& n : names) {
        auto s = pick(n, "series", axes, "a grid parameter, backend, policy or seed");
        if (s && *s == plot.x) {
          r.error(n, "series and x must differ");
          s.reset();
        }
        ok = ok && s;
        if (s) plot.series.push_back(*s);
      }
    }
    if (item["log_x"]) plot.log_x = r.boolean(item["log_x"], "log_x");
    if (item["log_y"]) plot.log_y = r.boolean(item["log_y"], "log_y");
    if (!ok) continue;
    for (const std::string& axis : varying_axes(study))
      if (axis != plot.x &&
          std::find(plot.series.begin(), plot.series.end(), axis) == plot.series.end())
        plot.panels.push_back(axis);
    study.plots.push_back(plot);
  }
}

}  // namespace

bool known_metric(const std::string& name) {
  if (name.rfind("stats.", 0) == 0)
    return name.size() > 6 && name.find('.', 6) != std::string::npos;
  if (name.rfind("steps.", 0) == 0) {
    const size_t dot = name.rfind('.');
    const std::string field = name.substr(dot + 1);
    return dot > 6 && (field == "start_ns" || field == "end_ns" || field == "duration_ns");
  }
  return name != "invariants" && run_key_quantity(name).has_value();
}

std::string metric_label(const std::string& name) {
  for (const analysis::CounterInfo& c : analysis::kCounters)
    if (name == c.key) return analysis::counter_label(c);
  if (name == "max_window_ns") return "longest window";
  if (name == "sim_time_ns") return "simulated time";
  auto flush_label = [](std::string_view field) -> std::string {
    if (field == "calls") return "flush calls";
    if (field == "bytes") return "bytes flushed";
    if (field == "lines") return "lines flushed";
    if (field == "lines_written_back") return "lines written back";
    return "flush CPU time";
  };
  for (const analysis::FlushField& f : analysis::kFlushFields) {
    if (name == fmt::format("flush.{}", f.name)) return flush_label(f.name);
    for (const vfio::FlushSiteInfo& site : vfio::kFlushSites)
      if (name == fmt::format("flush.by_site.{}.{}", site.name, f.name))
        return fmt::format("{} at {}", flush_label(f.name), site.name);
  }
  return name;
}

std::optional<Study> load_study(const std::string& path, yaml::Diagnostics& diags,
                                std::optional<std::vector<std::string>> chosen_backends) {
  yaml::Reader r(path, diags);
  auto loaded = r.load();
  if (!loaded) return std::nullopt;
  const YAML::Node root = *loaded;
  if (!r.expect_map(root, "a study")) return std::nullopt;
  r.check_keys(root,
               {"study", "scenario", "policies", "backends", "grid", "seeds", "metrics", "plots"},
               "a study");

  Study study;
  study.file = path;
  if (!root["study"])
    r.error(root, "a study needs 'study: NAME'");
  else if (auto name = r.name(root["study"], "study name"))
    study.name = *name;
  std::vector<std::string> vars;
  if (!root["scenario"]) {
    r.error(root, "a study needs 'scenario: FILE'");
  } else if (auto scenario = resolve_scenario(r, root["scenario"])) {
    study.scenario = *scenario;
    vars = declared_vars(*scenario);
  }
  if (root["policies"]) study.policies = policies(r, root["policies"]);
  if (root["backends"]) study.backends = backends(r, root["backends"]);
  if (chosen_backends) study.backends = *chosen_backends;
  if (root["grid"]) load_grid(r, root["grid"], vars, study);
  if (const YAML::Node seeds = root["seeds"]) {
    study.seeds.clear();
    if (!seeds.IsSequence() || seeds.size() == 0)
      r.error(seeds, "seeds is a non-empty list of integers");
    else
      for (const auto& s : seeds)
        if (auto n = r.integer(s, "seed")) study.seeds.push_back(*n);
  }
  if (!root["metrics"])
    r.error(root, "a study needs 'metrics: [...]'");
  else
    load_metrics(r, root["metrics"], study);
  if (root["plots"]) load_plots(r, root["plots"], study);
  if (!diags.empty()) return std::nullopt;
  return study;
}

std::vector<StudyPoint> expand_grid(const Study& study) {
  std::vector<std::vector<std::string>> combos{{}};
  for (const GridAxis& axis : study.grid) {
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : combos)
      for (const std::string& value : axis.values) {
        next.push_back(prefix);
        next.back().push_back(value);
      }
    combos = std::move(next);
  }
  std::vector<StudyPoint> points;
  const std::vector<std::string> backends =
      study.backends.empty() ? std::vector<std::string>{""} : study.backends;
  for (const auto& values : combos)
    for (const std::string& backend : backends)
      for (const std::string& policy : study.policies)
        for (uint64_t seed : study.seeds)
          points.push_back({points.size(), values, backend, policy, seed});
  return points;
}

}  // namespace iocsim::scenario
