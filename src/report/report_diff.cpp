// SPDX-License-Identifier: GPL-2.0-only
#include "report/report_diff.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "analysis/flush_ledger.h"
#include "analysis/hazards.h"
#include "base/quantity.h"
#include "report/text_report.h"
#include "report/window_summary.h"
#include "vfio/flush_sites.h"

namespace iocsim::report {
namespace {

using nlohmann::json;

// --- the shape of a report ----------------------------------------------

const json& field(const json& object, const std::string& key, const std::string& path) {
  if (!object.is_object() || !object.contains(key))
    throw NotAReport(fmt::format("it has no \"{}\"", path.empty() ? key : path + "." + key));
  return object[key];
}

void require_number(const json& object, const std::string& key, const std::string& path) {
  if (!field(object, key, path).is_number())
    throw NotAReport(fmt::format("\"{}{}\" is not a number", path.empty() ? "" : path + ".", key));
}

void require_kind(const json& value, bool (json::*is)() const, const char* what,
                  const std::string& path) {
  if (!(value.*is)()) throw NotAReport(fmt::format("\"{}\" is not {}", path, what));
}

void check_run(const json& run, const std::string& p) {
  auto path = [&](const std::string& key) { return p.empty() ? key : p + "." + key; };
  require_kind(run, &json::is_object, "an object", p.empty() ? "report" : p);
  for (const char* key : {"scenario", "policy", "kernel_base"})
    require_kind(field(run, key, p), &json::is_string, "a string", path(key));
  require_kind(field(run, "platform", p), &json::is_object, "an object", path("platform"));
  require_kind(field(run["platform"], "preset", path("platform")), &json::is_string, "a string",
               path("platform.preset"));
  for (const char* key : {"seed", "sim_time_ns", "max_window_ns"}) require_number(run, key, p);
  const json& counts = field(run, "counts", p);
  require_kind(counts, &json::is_object, "an object", path("counts"));
  for (const auto& [key, value] : counts.items())
    require_kind(value, &json::is_number, "a number", path("counts." + key));
  const json& windows = field(run, "windows", p);
  require_kind(windows, &json::is_array, "an array", path("windows"));
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string w = fmt::format("{}[{}]", path("windows"), i);
    require_kind(field(windows[i], "kind", w), &json::is_string, "a string", w + ".kind");
    for (const char* key : {"start_ns", "duration_ns"}) require_number(windows[i], key, w);
    require_kind(field(windows[i], "realized", w), &json::is_boolean, "true or false",
                 w + ".realized");
    if (windows[i]["realized"].get<bool>()) require_number(windows[i], "first_hit_ns", w);
  }
  const json& flush = field(run, "flush", p);
  for (const analysis::FlushField& f : analysis::kFlushFields)
    require_number(flush, std::string(f.name), path("flush"));
  const json& by_site = field(flush, "by_site", path("flush"));
  require_kind(by_site, &json::is_object, "an object", path("flush.by_site"));
  for (const auto& [site, cost] : by_site.items())
    for (const analysis::FlushField& f : analysis::kFlushFields)
      if (cost.contains(f.name)) require_number(cost, std::string(f.name), path("flush.by_site." + site));
  for (const auto& [list, flag] : {std::pair{"expectations", "passed"}, {"invariants", "held"}}) {
    const json& entries = field(run, list, p);
    require_kind(entries, &json::is_array, "an array", path(list));
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string e = fmt::format("{}[{}]", path(list), i);
      require_kind(field(entries[i], flag, e), &json::is_boolean, "true or false",
                   e + "." + flag);
    }
  }
}

// --- rows ---------------------------------------------------------------

struct ValueRow {
  std::string label;
  Quantity quantity;
  std::optional<double> a, b;
  bool differs() const { return a != b; }
};

struct InputRow {
  std::string label;
  std::optional<std::string> a, b;
};

std::string show(Quantity q, double v) {
  switch (q) {
    case Quantity::count: return fmt::format("{}", std::llround(v));
    case Quantity::bytes: return format_bytes(static_cast<uint64_t>(std::llround(v)));
    case Quantity::picos: return format_time_ns(v);
  }
  return "";
}

std::string show(Quantity q, const std::optional<double>& v) { return v ? show(q, *v) : "-"; }

std::string change(const ValueRow& r) {
  if (!r.a || !r.b || *r.a == *r.b) return "";
  const double d = *r.b - *r.a;
  std::string text = (d > 0 ? "+" : "-") + show(r.quantity, std::abs(d));
  if (*r.a != 0) text += fmt::format(" ({:+.1f}%)", 100.0 * d / *r.a);
  return text;
}

using Path = std::vector<std::string>;

// The value at `path` in `run`, or null.
const json* value_at(const json& run, const Path& path) {
  const json* at = &run;
  for (const std::string& key : path) {
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
  }
  return at;
}

std::optional<double> number_at(const json& run, const Path& path) {
  const json* at = value_at(run, path);
  return at ? std::optional<double>(at->get<double>()) : std::nullopt;
}

std::optional<std::string> text_at(const json& run, const Path& path) {
  const json* at = value_at(run, path);
  if (!at) return std::nullopt;
  return at->is_string() ? at->get<std::string>() : at->dump();
}

std::vector<ValueRow> value_rows(const json& a, const json& b) {
  std::vector<ValueRow> rows;
  auto add = [&](std::string label, Quantity q, std::optional<double> x, std::optional<double> y) {
    rows.push_back({std::move(label), q, x, y});
  };
  // Every counter either report has: iocsim's own, in their order, then any
  // other (a report of another version).
  std::vector<std::string> counters;
  for (const analysis::CounterInfo& c : analysis::kCounters) counters.emplace_back(c.key);
  for (const json* run : {&a, &b})
    for (const auto& [key, value] : (*run)["counts"].items())
      if (std::find(counters.begin(), counters.end(), key) == counters.end())
        counters.push_back(key);
  for (const std::string& key : counters)
    add(key, Quantity::count, number_at(a, {"counts", key}), number_at(b, {"counts", key}));

  const std::vector<KindSummary> ka = summarize_windows(a["windows"]),
                                 kb = summarize_windows(b["windows"]);
  std::vector<std::string> kinds;
  for (const analysis::HazardKindInfo& info : analysis::kHazardKinds) kinds.emplace_back(info.name);
  for (const auto* of : {&ka, &kb})
    for (const KindSummary& k : *of)
      if (std::find(kinds.begin(), kinds.end(), k.kind) == kinds.end()) kinds.push_back(k.kind);
  auto summary = [](const std::vector<KindSummary>& of, const std::string& kind) {
    for (const KindSummary& k : of)
      if (k.kind == kind) return k;
    return KindSummary{kind};
  };
  for (const std::string& kind : kinds) {
    const KindSummary x = summary(ka, kind), y = summary(kb, kind);
    if (x.count == 0 && y.count == 0) continue;
    add(kind + " windows", Quantity::count, x.count, y.count);
    add("  runs", Quantity::count, x.runs, y.runs);
    add("  realized", Quantity::count, x.realized, y.realized);
    add("  longest", Quantity::picos, x.longest_ns, y.longest_ns);
  }
  add("max_window_ns", Quantity::picos, number_at(a, {"max_window_ns"}),
      number_at(b, {"max_window_ns"}));

  for (const analysis::FlushField& f : analysis::kFlushFields) {
    const std::string name(f.name);
    add("flush." + name, f.quantity, number_at(a, {"flush", name}), number_at(b, {"flush", name}));
  }
  std::set<std::string> sites;
  for (const json* run : {&a, &b})
    for (const auto& [site, cost] : (*run)["flush"]["by_site"].items()) sites.insert(site);
  for (const vfio::FlushSiteInfo& info : vfio::kFlushSites) {
    const std::string site(info.name);
    if (!sites.count(site)) continue;
    for (const analysis::FlushField& f : analysis::kFlushFields) {
      const std::string name(f.name);
      add(fmt::format("flush.by_site.{}.{}", site, name), f.quantity,
          number_at(a, {"flush", "by_site", site, name}),
          number_at(b, {"flush", "by_site", site, name}));
    }
  }
  add("sim_time_ns", Quantity::picos, number_at(a, {"sim_time_ns"}),
      number_at(b, {"sim_time_ns"}));
  auto failed = [](const json& run, const char* list, const char* flag) {
    double n = 0;
    for (const auto& e : run[list]) n += !e[flag].get<bool>();
    return n;
  };
  add("expectations failed", Quantity::count, failed(a, "expectations", "passed"),
      failed(b, "expectations", "passed"));
  add("invariants broken", Quantity::count, failed(a, "invariants", "held"),
      failed(b, "invariants", "held"));
  return rows;
}

// What each run was run with: the inputs that differ.
std::vector<InputRow> differing_inputs(const json& a, const json& b) {
  std::vector<Path> paths;
  for (const char* key :
       {"scenario", "file", "policy", "kernel_base", "seed", "iocsim_version", "iocsim_commit"})
    paths.push_back({key});
  paths.push_back({"platform", "preset"});
  // Every parameter's resolved value (from a report without them, the values
  // set over the preset's), each device's own, and every variable: the
  // leaves under these sections in either report, in order.
  const bool resolved = a["platform"].contains("params") && b["platform"].contains("params");
  for (const Path& section : {Path{"platform", resolved ? "params" : "overrides"},
                              Path{"platform", "device_overrides"}, Path{"vars"}}) {
    std::set<Path> leaves;
    for (const json* run : {&a, &b}) {
      const json* values = value_at(*run, section);
      if (!values || !values->is_object()) continue;
      for (const auto& [key, value] : values->items()) {
        Path leaf = section;
        leaf.push_back(key);
        if (!value.is_object()) {
          leaves.insert(leaf);
          continue;
        }
        for (const auto& [inner, text] : value.items()) {
          Path deeper = leaf;
          deeper.push_back(inner);
          leaves.insert(deeper);
        }
      }
    }
    paths.insert(paths.end(), leaves.begin(), leaves.end());
  }

  std::vector<InputRow> rows;
  for (const auto& path : paths) {
    const std::optional<std::string> x = text_at(a, path), y = text_at(b, path);
    if (x == y) continue;
    // platform.params.llc.size reads as llc.size; a device's as DEVICE: KEY.
    std::string label;
    if (path[0] == "platform" && path.size() >= 3)
      label = path.size() == 4 ? path[2] + ": " + path[3] : path[2];
    else
      label = path.size() == 2 ? path[0] + "." + path[1] : path[0];
    rows.push_back({label, x, y});
  }
  return rows;
}

std::vector<json> runs_of(const json& report) {
  if (report.contains("runs")) return report["runs"].get<std::vector<json>>();
  return {report};
}

std::string describe(const json& run) {
  return fmt::format("{}, policy {}, kernel {}, platform {}", run["scenario"].get<std::string>(),
                     run["policy"].get<std::string>(), run["kernel_base"].get<std::string>(),
                     run["platform"]["preset"].get<std::string>());
}

// Columns as wide as their widest cell: the first left-aligned, the
// others right-aligned; the last (the change) left-aligned after two spaces.
std::string table(const std::vector<std::vector<std::string>>& rows, bool last_left) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i == 0) line += fmt::format("{:<{}}", row[i], width[i]);
      else if (last_left && i + 1 == row.size()) line += fmt::format("  {}", row[i]);
      else line += fmt::format("  {:>{}}", row[i], width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

void check_report(const json& report) {
  if (report.is_object() && report.contains("runs")) {
    const json& runs = report["runs"];
    if (!runs.is_array() || runs.empty())
      throw NotAReport("\"runs\" is not an array of reports");
    for (size_t i = 0; i < runs.size(); ++i) check_run(runs[i], fmt::format("runs[{}]", i));
    return;
  }
  check_run(report, "");
}

ReportDiff diff_reports(const json& a, const json& b, const std::string& a_name,
                        const std::string& b_name, bool every_row) {
  const std::vector<json> runs_a = runs_of(a), runs_b = runs_of(b);
  // One run each: those two, whatever their policies. Else by policy.
  std::vector<std::pair<const json*, const json*>> pairs;
  std::vector<std::string> unmatched;
  if (runs_a.size() == 1 && runs_b.size() == 1) {
    pairs.emplace_back(&runs_a[0], &runs_b[0]);
  } else {
    for (const json& x : runs_a) {
      const json* match = nullptr;
      for (const json& y : runs_b)
        if (y["policy"] == x["policy"]) match = &y;
      if (match) pairs.emplace_back(&x, match);
      else unmatched.push_back(fmt::format("policy {} is only in {}", x["policy"].get<std::string>(), a_name));
    }
    for (const json& y : runs_b) {
      bool matched = false;
      for (const json& x : runs_a) matched = matched || x["policy"] == y["policy"];
      if (!matched)
        unmatched.push_back(fmt::format("policy {} is only in {}", y["policy"].get<std::string>(), b_name));
    }
  }

  ReportDiff diff;
  diff.differs = !unmatched.empty();
  std::string& out = diff.text;
  size_t inputs_differing = 0, values_differing = 0, values = 0;
  for (const auto& [x, y] : pairs) {
    if (runs_a.size() > 1 || runs_b.size() > 1)
      out += fmt::format("--- policy {} ---\n", (*x)["policy"].get<std::string>());
    out += fmt::format("A: {} -- {}\nB: {} -- {}\n", a_name, describe(*x), b_name, describe(*y));
    const std::vector<InputRow> inputs = differing_inputs(*x, *y);
    inputs_differing += inputs.size();
    if (!inputs.empty()) {
      std::vector<std::vector<std::string>> rows{{"inputs that differ", "A", "B"}};
      for (const InputRow& r : inputs)
        rows.push_back({"  " + r.label, r.a.value_or("-"), r.b.value_or("-")});
      out += "\n" + table(rows, false);
    }
    std::vector<std::vector<std::string>> rows{{"", "A", "B", "change"}};
    for (const ValueRow& r : value_rows(*x, *y)) {
      ++values;
      if (r.differs()) ++values_differing;
      if (r.differs() || every_row)
        rows.push_back({r.label, show(r.quantity, r.a), show(r.quantity, r.b), change(r)});
    }
    if (rows.size() > 1) out += "\n" + table(rows, true);
    else if (inputs.empty()) out += "  (no difference)\n";
    out += "\n";
  }
  for (const std::string& u : unmatched) out += u + "\n";
  diff.differs = diff.differs || inputs_differing > 0 || values_differing > 0;
  if (!diff.differs) {
    out += fmt::format("The reports agree on every input and on all {} values compared.\n", values);
  } else {
    std::string also;
    if (inputs_differing)
      also += fmt::format(", and {} input{}", inputs_differing, inputs_differing == 1 ? "" : "s");
    if (!unmatched.empty())
      also += fmt::format(", and {} run{} only one report has", unmatched.size(),
                          unmatched.size() == 1 ? "" : "s");
    out += fmt::format("{} of {} values compared differ{}{}.\n", values_differing, values, also,
                       every_row ? "" : " (-v lists the values that agree too)");
  }
  return diff;
}

}  // namespace iocsim::report
