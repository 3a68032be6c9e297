// SPDX-License-Identifier: GPL-2.0-only
#include "report/json_report.h"

#include <cmath>
#include <utility>

#include "analysis/flush_ledger.h"
#include "analysis/hazards.h"
#include "base/units.h"
#include "iocsim_build_info.h"
#include "vfio/errno_names.h"

namespace iocsim::report {
namespace {

using nlohmann::json;

double ns(Picos ps) { return picos_to_ns(ps); }

json flush_cost(const analysis::FlushCost& c) {
  json out = json::object();
  for (const analysis::FlushField& f : analysis::kFlushFields) {
    const uint64_t value = c.*f.field;
    out[std::string(f.name)] = f.quantity == Quantity::picos ? json(ns(value)) : json(value);
  }
  return out;
}

std::string owner_name(const scenario::Scenario& s, OwnerId id) {
  return id == kNobody ? "nobody" : s.principals[id - 1].name;
}

}  // namespace

json to_json(const scenario::RunResult& r) {
  const scenario::Scenario& s = *r.scenario;
  const uint64_t hz = s.platform.params.frequency("cpu.freq");

  json overrides = json::object();
  for (const auto& [name, text] : s.overrides) overrides[name] = text;
  // Every parameter's value as the run resolved it (preset, scenario,
  // study point, --set): what reproduces the platform without the preset.
  json params = json::object();
  for (const std::string& name : s.platform.params.catalog().names())
    params[name] = s.platform.params.text(name);
  json device_overrides = json::object();
  for (const platform::DeviceSpec& d : s.platform.devices)
    for (const auto& [name, text] : d.params) device_overrides[d.name][name] = text;

  // Thousands of windows in a long run: each built in place (an initializer
  // list would build every field twice), the array moved into the report.
  json counts = json::object();
  for (const analysis::CounterInfo& c : analysis::kCounters)
    counts[std::string(c.key)] = r.counts.*c.field;

  json windows = json::array();
  windows.get_ref<json::array_t&>().reserve(r.windows.size());
  for (const analysis::Window& w : r.windows) {
    json& entry = windows.emplace_back(json::object());
    entry["kind"] = analysis::to_string(w.kind);
    entry["pa"] = units::format_hex(w.pa);
    entry["size"] = w.size;
    entry["iova"] = units::format_hex(w.iova);
    entry["device"] = w.stream_id ? json(s.devices[w.stream_id - 1].name) : json(nullptr);
    entry["owner"] = owner_name(s, w.owner);
    entry["start_ns"] = ns(w.start);
    entry["end_ns"] = ns(w.end);
    entry["duration_ns"] = ns(w.longest);
    entry["windows"] = w.windows;
    entry["realized"] = w.realized();
    entry["realized_windows"] = w.realized_windows;
    entry["hits"] = w.hits;
    entry["first_hit_ns"] = w.realized() ? json(ns(w.first_hit)) : json(nullptr);
    entry["quickest_hit_ns"] = w.realized() ? json(ns(w.quickest_hit)) : json(nullptr);
    entry["open_at_end"] = w.open_at_end;
  }

  json by_site = json::object();
  for (const vfio::FlushSiteInfo& site : vfio::kFlushSites)
    by_site[std::string(site.name)] = flush_cost(r.flush.site(site.site));
  json flush = flush_cost(r.flush.total());
  flush["by_site"] = by_site;

  json steps = json::array();
  for (const scenario::StepRecord& st : r.steps) {
    json values = json::object();
    for (const auto& [k, v] : st.values) values[k] = v;
    if (st.dmas) {
      values["dmas"] = json::array();
      for (const auto& [iova, size] : *st.dmas) values["dmas"].push_back({iova, size});
    }
    const double cycles = static_cast<double>(st.cpu) * static_cast<double>(hz) / 1e12;
    steps.push_back({{"index", st.index},
                     {"op", st.op},
                     {"name", st.name.empty() ? json(nullptr) : json(st.name)},
                     {"result", st.error ? "error" : "ok"},
                     {"errno", st.error ? json(vfio::errno_name(st.error)) : json(nullptr)},
                     {"start_ns", ns(st.start)},
                     {"end_ns", ns(st.end)},
                     {"cpu_cycles", static_cast<uint64_t>(std::llround(cycles))},
                     {"warns", st.warned},
                     {"values", values}});
  }

  json expectations = json::array();
  for (const auto& e : r.expectations)
    expectations.push_back({{"step", e.step ? json(*e.step) : json(nullptr)},
                            {"what", e.what},
                            {"actual", e.actual},
                            {"passed", e.passed}});

  json invariants = json::array();
  for (const auto& i : r.invariants) {
    json entry{{"name", i.name}, {"held", i.held}};
    if (!i.held) entry["detail"] = i.detail;
    invariants.push_back(entry);
  }

  json validation = json::array();
  for (const scenario::ValidationPoint& v : s.validation) {
    const Picos published = units::to_picos(v.published, hz);
    json entry{{"what", v.what},
               {"step", v.step},
               {"kernel", v.kernel ? json(vfio::to_string(*v.kernel)) : json(nullptr)},
               {"published_ns", ns(published)},
               {"iocsim_ns", nullptr},
               {"ratio", nullptr},
               {"source", v.source},
               {"machine", v.machine}};
    // Compared only on the base it is for, and only if the step did its work.
    const scenario::StepRecord* step = nullptr;
    for (const scenario::StepRecord& st : r.steps)
      if (st.index == v.step) step = &st;
    if ((!v.kernel || *v.kernel == r.base) && step && !step->error) {
      const Picos took = step->end - step->start;
      entry["iocsim_ns"] = ns(took);
      entry["ratio"] = static_cast<double>(took) / static_cast<double>(published);
    }
    validation.push_back(std::move(entry));
  }

  json stats = json::object();
  for (const auto& group : r.stats) {
    json counters = json::object();
    for (const auto& [name, value] : group.counters) counters[name] = value;
    stats[group.name] = counters;
  }

  return {{"iocsim_version", IOCSIM_VERSION},
          {"iocsim_commit", IOCSIM_COMMIT},
          {"scenario", s.name},
          {"summary", s.summary},
          {"file", s.file},
          {"policy", r.policy},
          {"backend", r.backend},
          {"kernel_base", vfio::to_string(r.base)},
          {"platform",
           {{"preset", s.platform.preset},
            {"overrides", std::move(overrides)},
            {"device_overrides", std::move(device_overrides)},
            {"params", std::move(params)}}},
          {"vars", s.vars},
          {"seed", r.seed},
          {"sim_time_ns", ns(r.sim_time)},
          {"counts", std::move(counts)},
          {"windows", std::move(windows)},
          {"max_window_ns", ns(r.max_window)},
          {"flush", std::move(flush)},
          {"steps", std::move(steps)},
          {"expectations", std::move(expectations)},
          {"invariants", std::move(invariants)},
          {"kernel_log", r.kernel_log},
          {"unfired_injections", r.unfired_injections},
          {"passed", r.passed()},
          {"validation", std::move(validation)},
          {"stats", std::move(stats)}};
}

bool backends_differ(const json& runs) {
  for (const json& run : runs)
    if (run["backend"] != runs.front()["backend"]) return true;
  return false;
}

std::string run_label(const json& run, bool with_backend) {
  std::string label = run["policy"];
  if (with_backend) label += "/" + run["backend"].get<std::string>();
  return label;
}

json combine(std::vector<json> runs) {
  json policies = json::array();
  json metrics = json::object();
  auto add = [&](const std::string& metric, const std::string& policy, const json& value) {
    metrics[metric][policy] = value;
  };
  bool by_backend = false;
  for (const json& run : runs) by_backend |= run["backend"] != runs.front()["backend"];
  for (const json& run : runs) {
    const std::string policy = run_label(run, by_backend);
    policies.push_back(policy);
    for (const auto& [key, value] : run["counts"].items()) add(key, policy, value);
    add("max_window_ns", policy, run["max_window_ns"]);
    for (const char* key : {"calls", "bytes", "lines", "lines_written_back", "cpu_ns"})
      add(std::string("flush.") + key, policy, run["flush"][key]);
    add("sim_time_ns", policy, run["sim_time_ns"]);
    add("passed", policy, run["passed"]);
  }
  return {{"runs", std::move(runs)},
          {"comparison", {{"policies", std::move(policies)}, {"metrics", std::move(metrics)}}}};
}

}  // namespace iocsim::report
