// SPDX-License-Identifier: GPL-2.0-only
#include "report/text_report.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "analysis/hazards.h"
#include "base/line_value.h"
#include "base/units.h"
#include "report/json_report.h"
#include "report/window_summary.h"
#include "vfio/flush_sites.h"

namespace iocsim::report {
namespace {

using nlohmann::json;

constexpr const char* kLinesNote = "(lines: 64-byte cache lines, one per access)";
constexpr const char* kWindowsNote =
    "(windows: one per line, or per stale IOTLB entry; a run: those of adjacent lines that "
    "overlap in time)";

// What the scenario's own `flush` steps did (the kernel's flushes are the
// report's `flush`): how many steps, lines, lines written back, and their time.
struct UserFlushes {
  size_t steps = 0;
  uint64_t lines = 0, written_back = 0;
  double ns = 0;
};

UserFlushes user_flushes(const json& run) {
  UserFlushes f;
  for (const auto& st : run["steps"]) {
    if (st["op"] != "flush" || st["result"] != "ok") continue;
    ++f.steps;
    f.lines += st["values"]["lines"].get<uint64_t>();
    f.written_back += st["values"]["lines_written_back"].get<uint64_t>();
    f.ns += st["end_ns"].get<double>() - st["start_ns"].get<double>();
  }
  return f;
}

// A step's value as -v lists it: byte counts in their unit, a state step's
// vfio_dma entries as [iova size] (the first few, then how many there are).
std::string step_value(const std::string& key, const json& v) {
  if (key == "dmas") {
    constexpr size_t kShown = 4;
    std::string out = "[";
    for (size_t i = 0; i < v.size() && i < kShown; ++i)
      out += fmt::format("{}{} {}", i ? ", " : "", units::format_hex(v[i][0].get<uint64_t>()),
                         units::format_size(v[i][1].get<uint64_t>()));
    if (v.size() > kShown) out += fmt::format(", ... {} entries", v.size());
    return out + "]";
  }
  if (key == "unmapped" || key.rfind("flush.", 0) == 0)
    return units::format_size(v.get<uint64_t>());
  return v.dump();
}

std::string header(const json& run, bool with_policy) {
  std::string line = fmt::format("{} -- ", run["scenario"].get<std::string>());
  if (with_policy) line += fmt::format("policy {}, ", run["policy"].get<std::string>());
  // type1 is the default and says nothing; iommufd is named.
  if (run["backend"] != "type1") line += fmt::format("backend {}, ", run["backend"].get<std::string>());
  line += fmt::format("kernel {}, platform {}", run["kernel_base"].get<std::string>(),
                      run["platform"]["preset"].get<std::string>());
  std::string overrides;
  for (const auto& [k, v] : run["platform"]["overrides"].items())
    overrides += fmt::format("{}{}={}", overrides.empty() ? "" : " ", k, v.get<std::string>());
  if (!overrides.empty()) line += " (" + overrides + ")";
  line += "\n";
  if (!run["summary"].get<std::string>().empty())
    line += run["summary"].get<std::string>() + "\n";
  return line;
}

struct Tally {
  size_t passed = 0, total = 0;
};

Tally tally(const json& run) {
  Tally t;
  for (const auto& e : run["expectations"]) {
    ++t.total;
    t.passed += e["passed"].get<bool>();
  }
  return t;
}

bool invariants_hold(const json& run) {
  for (const auto& i : run["invariants"])
    if (!i["held"].get<bool>()) return false;
  return true;
}

// Time spent in the VFIO steps (all of it kernel CPU time): what the flush
// cost is a share of.
double vfio_step_ns(const json& run) {
  static const char* kVfio[] = {"open", "attach", "detach", "map", "unmap", "release"};
  double total = 0;
  for (const auto& st : run["steps"]) {
    const std::string op = st["op"];
    for (const char* v : kVfio)
      if (op == v) total += st["end_ns"].get<double>() - st["start_ns"].get<double>();
  }
  return total;
}

const json* longest_window(const json& windows) {
  const json* longest = nullptr;
  for (const auto& w : windows)
    if (!longest || w["duration_ns"].get<double>() > (*longest)["duration_ns"].get<double>())
      longest = &w;
  return longest;
}

// One sentence: whose data, where, for how long.
std::string describe_window(const json& w) {
  const std::string kind = w["kind"];
  const std::string device = w["device"].is_null() ? "the CPU" : w["device"].get<std::string>();
  const uint64_t size = w["size"].get<uint64_t>();
  const std::string pa = w["pa"], iova = w["iova"];
  const std::string where = size > kLineBytes
                                ? fmt::format("pa {} (iova {}, {})", pa, iova, format_bytes(size))
                                : fmt::format("pa {} (iova {})", pa, iova);
  std::string text = format_time_ns(w["duration_ns"].get<double>()) + ", ";
  const analysis::HazardKindInfo* info = analysis::hazard_kind_named(kind);
  if (info && info->cpu_side)
    text += fmt::format("{}: the CPU cache holds an older copy of what {} wrote at {}", kind,
                        device, where);
  else
    text += fmt::format("{} of {}'s data to {} at {}", kind, w["owner"].get<std::string>(),
                        device, where);
  if (w["open_at_end"].get<bool>()) text += ", still open at the end";
  return text;
}

}  // namespace

std::string format_bytes(uint64_t n) { return n == 0 ? "0" : units::format_size_largest(n); }

std::string format_time_ns(double ns) {
  if (ns == 0) return "0 ns";
  const char* unit = "ns";
  double v = ns;
  if (v >= 1e9) {
    v /= 1e9;
    unit = "s";
  } else if (v >= 1e6) {
    v /= 1e6;
    unit = "ms";
  } else if (v >= 1e3) {
    v /= 1e3;
    unit = "us";
  }
  const int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return fmt::format("{:.{}f} {}", v, decimals, unit);
}

std::string render_text(const json& run, int verbosity) {
  std::string out = header(run, true);

  out += "\nExposure\n";
  for (const analysis::CounterInfo& c : analysis::kCounters)
    out += fmt::format("  {:<32}{:>10}\n", analysis::counter_label(c),
                       run["counts"][std::string(c.key)].get<uint64_t>());
  out += fmt::format("  {}\n", kLinesNote);
  const auto& windows = run["windows"];
  const std::vector<KindSummary> kinds = summarize_windows(windows);
  if (kinds.empty()) {
    out += "  exposure windows: none\n";
  } else {
    out += fmt::format("\n  {:<20}{:>8}{:>10}{:>10}{:>12}{:>14}\n", "windows", "runs", "count",
                       "realized", "longest", "quickest hit");
    for (const KindSummary& k : kinds)
      out += fmt::format("  {:<20}{:>8}{:>10}{:>10}{:>12}{:>14}\n", k.kind, k.runs, k.count,
                         k.realized, format_time_ns(k.longest_ns),
                         k.realized ? format_time_ns(k.quickest_hit_ns) : "-");
    out += "  longest: " + describe_window(*longest_window(windows)) + "\n";
    out += fmt::format("  {}\n", kWindowsNote);
    if (std::any_of(kinds.begin(), kinds.end(), [](const KindSummary& k) { return k.realized; }))
      out += "  (quickest hit: the shortest time from a window opening to its first hit)\n";
  }

  const json& flush = run["flush"];
  const UserFlushes user = user_flushes(run);
  out += "\nFlush cost";
  if (flush["calls"].get<uint64_t>() == 0 && user.steps == 0) {
    out += ": none\n";
  } else {
    const double vfio_ns = vfio_step_ns(run);
    out += fmt::format("\n  {:<8}{:>7}{:>10}{:>10}{:>14}{:>12}{:>10}\n", "site", "calls", "bytes",
                       "lines", "written back", "CPU time", "of VFIO");
    auto row = [&](const std::string& name, const json& c) {
      const double cpu = c["cpu_ns"].get<double>();
      out += fmt::format("  {:<8}{:>7}{:>10}{:>10}{:>14}{:>12}{:>9.0f}%\n", name,
                         c["calls"].get<uint64_t>(), format_bytes(c["bytes"].get<uint64_t>()),
                         c["lines"].get<uint64_t>(), c["lines_written_back"].get<uint64_t>(),
                         format_time_ns(cpu), vfio_ns > 0 ? 100.0 * cpu / vfio_ns : 0.0);
    };
    if (flush["calls"].get<uint64_t>() == 0) out += "  (the kernel flushed nothing)\n";
    for (const auto& [site, c] : flush["by_site"].items())
      if (c["calls"].get<uint64_t>()) row(site, c);
    if (flush["calls"].get<uint64_t>()) row("total", flush);
    // The scenario's own flush steps: the whole step's time, not a share of
    // the kernel's.
    if (user.steps) {
      out += fmt::format("  {:<8}{:>7}{:>10}{:>10}{:>14}{:>12}{:>10}\n", "steps", user.steps,
                         format_bytes(user.lines * kLineBytes), user.lines, user.written_back,
                         format_time_ns(user.ns), "-");
      out += "  (steps: the scenario's own flush steps, not the kernel's)\n";
    }
  }

  const Tally t = tally(run);
  out += "\n";
  if (t.passed == t.total) {
    out += fmt::format("Expectations: {} of {} passed\n", t.passed, t.total);
  } else {
    out += fmt::format("Expectations: {} of {} FAILED\n", t.total - t.passed, t.total);
    for (const auto& e : run["expectations"]) {
      if (e["passed"].get<bool>()) continue;
      const std::string where =
          e["step"].is_null() ? "end of run" : fmt::format("step {}", e["step"].get<size_t>());
      out += fmt::format("  FAILED {}: expected {}, got {}\n", where,
                         e["what"].get<std::string>(), e["actual"].get<std::string>());
    }
  }
  if (invariants_hold(run)) {
    out += fmt::format("Invariants: all {} hold\n", run["invariants"].size());
  } else {
    for (const auto& i : run["invariants"])
      if (!i["held"].get<bool>())
        out += fmt::format("Invariant BROKEN: {} ({})\n", i["name"].get<std::string>(),
                           i["detail"].get<std::string>());
  }
  out += fmt::format("Simulated {}.\n", format_time_ns(run["sim_time_ns"].get<double>()));
  if (const size_t unfired = run.value("unfired_injections", size_t{0}))
    out += fmt::format("Note: {} injected fault{} never fired (no such call came).\n", unfired,
                       unfired == 1 ? "" : "s");
  if (run.contains("validation") && !run["validation"].empty()) {
    out += "\nValidation: steps against published measurements of real machines\n";
    for (const auto& v : run["validation"]) {
      const std::string iocsim = v["iocsim_ns"].is_null()
                                     ? fmt::format("- (for {})", v["kernel"].get<std::string>())
                                     : format_time_ns(v["iocsim_ns"].get<double>());
      const std::string ratio =
          v["ratio"].is_null() ? "-" : fmt::format("{:.2f}", v["ratio"].get<double>());
      out += fmt::format("  step {:<3} published {:>9}  iocsim {:>9}  ratio {:>5}  {}\n",
                         v["step"].get<size_t>(), format_time_ns(v["published_ns"].get<double>()),
                         iocsim, ratio, v["what"].get<std::string>());
    }
  }

  if (verbosity > 0) {
    out += "\nSteps\n";
    for (const auto& st : run["steps"]) {
      const double start = st["start_ns"].get<double>();
      std::string values;
      for (const auto& [k, v] : st["values"].items())
        values += fmt::format(" {}={}", k, step_value(k, v));
      out += fmt::format("  {:>3} {:<10}{:<7} at {:>10}  took {:>10}{}{}\n",
                         st["index"].get<size_t>(), st["op"].get<std::string>(),
                         st["result"] == "ok" ? "ok" : st["errno"].get<std::string>(),
                         format_time_ns(start),
                         format_time_ns(st["end_ns"].get<double>() - start), values,
                         st["name"].is_null() ? "" : "  # " + st["name"].get<std::string>());
    }
    if (!run["expectations"].empty()) {
      out += "\nExpectations\n";
      for (const auto& e : run["expectations"])
        out += fmt::format("  {} {}: {} (got {})\n", e["passed"].get<bool>() ? "ok  " : "FAIL",
                           e["step"].is_null() ? std::string("end")
                                               : fmt::format("step {}", e["step"].get<size_t>()),
                           e["what"].get<std::string>(), e["actual"].get<std::string>());
    }
    if (!windows.empty()) {
      out += "\nWindows (first 20)\n";
      size_t shown = 0;
      for (const auto& w : windows) {
        if (shown++ == 20) break;
        const uint64_t count = w["windows"].get<uint64_t>();
        std::string realized;
        if (w["realized"].get<bool>())
          realized = count > 1 ? fmt::format("  realized {} of {}",
                                             w["realized_windows"].get<uint64_t>(), count)
                               : std::string("  realized");
        out += fmt::format("  {:<18} pa {} +{} iova {} {} <- {}  {} .. {}{}\n",
                           w["kind"].get<std::string>(), w["pa"].get<std::string>(),
                           format_bytes(w["size"].get<uint64_t>()), w["iova"].get<std::string>(),
                           w["device"].is_null() ? "CPU" : w["device"].get<std::string>(),
                           w["owner"].get<std::string>(),
                           format_time_ns(w["start_ns"].get<double>()),
                           format_time_ns(w["end_ns"].get<double>()), realized);
      }
    }
    if (!run["kernel_log"].empty()) {
      out += "\nKernel log\n";
      for (const auto& line : run["kernel_log"]) out += "  " + line.get<std::string>() + "\n";
    }
    if (verbosity > 1) {
      out += "\nStatistics\n";
      for (const auto& [component, counters] : run["stats"].items())
        for (const auto& [name, value] : counters.items())
          out += fmt::format("  {}.{} = {}\n", component, name, value.dump());
    }
  }
  return out;
}

std::string render_comparison(const json& combined, int verbosity) {
  const json& runs = combined["runs"];
  if (runs.empty()) return "";
  const bool by_backend = backends_differ(runs);
  json first = runs[0];
  if (by_backend) first["backend"] = "type1";  // each column says its own below
  std::string out = header(first, false) + "\n";
  const int label_width = 32, width = 14;
  out += fmt::format("{:<{}}", "", label_width);
  for (const auto& run : runs) out += fmt::format("{:>{}}", run["policy"].get<std::string>(), width);
  out += "\n";
  if (by_backend) {
    out += fmt::format("{:<{}}", "backend", label_width);
    for (const auto& run : runs)
      out += fmt::format("{:>{}}", run["backend"].get<std::string>(), width);
    out += "\n";
  }
  // One row: a label, then what `cell` says of each run (by its index).
  auto row = [&](const std::string& label, auto cell) {
    out += fmt::format("{:<{}}", label, label_width);
    for (size_t i = 0; i < runs.size(); ++i) out += fmt::format("{:>{}}", cell(i), width);
    out += "\n";
  };
  auto count = [&](size_t i, const char* section, const std::string& key) {
    return std::to_string(runs[i][section][key].get<uint64_t>());
  };
  for (const analysis::CounterInfo& c : analysis::kCounters)
    row(analysis::counter_label(c), [&](size_t i) { return count(i, "counts", std::string(c.key)); });

  // Windows by kind, for each kind some run has: how many, how many a
  // request hit, the longest, and the quickest hit where one was hit.
  std::vector<std::vector<KindSummary>> kinds_of;
  for (const auto& run : runs) kinds_of.push_back(summarize_windows(run["windows"]));
  bool any_window = false;
  for (const analysis::HazardKindInfo& info : analysis::kHazardKinds) {
    std::vector<std::optional<KindSummary>> of(runs.size());
    bool realized = false;
    for (size_t i = 0; i < runs.size(); ++i)
      for (const KindSummary& k : kinds_of[i])
        if (k.kind == info.name) {
          of[i] = k;
          realized = realized || k.realized;
        }
    if (std::none_of(of.begin(), of.end(), [](const auto& k) { return k.has_value(); })) continue;
    any_window = true;
    auto cell = [&](auto field) {
      return [&of, field](size_t i) { return of[i] ? field(*of[i]) : std::string("-"); };
    };
    row(std::string(info.name) + " windows",
        [&of](size_t i) { return std::to_string(of[i] ? of[i]->count : 0); });
    row("  runs", cell([](const KindSummary& k) { return std::to_string(k.runs); }));
    row("  realized", cell([](const KindSummary& k) { return std::to_string(k.realized); }));
    row("  longest", cell([](const KindSummary& k) { return format_time_ns(k.longest_ns); }));
    if (realized)
      row("  quickest hit", cell([](const KindSummary& k) {
            return k.realized ? format_time_ns(k.quickest_hit_ns) : std::string("-");
          }));
  }
  if (!any_window) row("exposure windows", [](size_t) { return std::string("none"); });

  // Flush cost, in total and by site for each site some run flushed at.
  auto by_site = [&](const char* what, auto cell) {
    for (const vfio::FlushSiteInfo& site : vfio::kFlushSites) {
      const std::string name(site.name);
      bool used = false;
      for (const auto& run : runs) used = used || run["flush"]["by_site"][name]["calls"] != 0;
      if (used)
        row(fmt::format("  {} at {}", what, name),
            [&](size_t i) { return cell(runs[i]["flush"]["by_site"][name]); });
    }
  };
  row("flush calls", [&](size_t i) { return count(i, "flush", "calls"); });
  row("flush bytes",
      [&](size_t i) { return format_bytes(runs[i]["flush"]["bytes"].get<uint64_t>()); });
  by_site("bytes", [](const json& c) { return format_bytes(c["bytes"].get<uint64_t>()); });
  row("lines written back", [&](size_t i) { return count(i, "flush", "lines_written_back"); });
  row("flush CPU time",
      [&](size_t i) { return format_time_ns(runs[i]["flush"]["cpu_ns"].get<double>()); });
  by_site("CPU time", [](const json& c) { return format_time_ns(c["cpu_ns"].get<double>()); });
  if (user_flushes(runs[0]).steps)
    row("scenario's flush steps' time",
        [&](size_t i) { return format_time_ns(user_flushes(runs[i]).ns); });
  row("simulated time",
      [&](size_t i) { return format_time_ns(runs[i]["sim_time_ns"].get<double>()); });
  // Passed of all, the same way for every run.
  row("expectations passed", [&](size_t i) {
    const Tally t = tally(runs[i]);
    return fmt::format("{}/{}{}", t.passed, t.total, t.passed == t.total ? "" : " FAIL");
  });
  row("invariants",
      [&](size_t i) { return std::string(invariants_hold(runs[i]) ? "hold" : "BROKEN"); });
  out += fmt::format("{}\n", kLinesNote);
  if (any_window) out += fmt::format("{}\n", kWindowsNote);

  for (const auto& run : runs) {
    const Tally t = tally(run);
    if (t.passed == t.total && invariants_hold(run) && verbosity == 0) continue;
    out += fmt::format("\n--- {} ---\n", run_label(run, by_backend));
    out += render_text(run, verbosity);
  }
  return out;
}

}  // namespace iocsim::report
