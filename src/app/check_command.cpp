// SPDX-License-Identifier: GPL-2.0-only
// `iocsim check PATH...`: every scenario under the paths, under every policy
// its expect block names (`all` names every one; its own policy when it names
// none; --policy chooses instead), with --kernel, --platform, --set and
// --seed as `run` takes them, each in a child process, `-j` of them at a time; one line per scenario and policy in
// a fixed order, then a summary, and JUnit XML if asked. Study files are
// skipped: they are for `iocsim sweep`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "app/child_run.h"
#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/output_files.h"
#include "report/junit_report.h"
#include "report/text_report.h"
#include "vfio/flush_policy.h"

namespace iocsim::app {
namespace {

namespace fs = std::filesystem;
using report::CheckCase;

std::vector<std::string> scenario_files(const std::vector<std::string>& paths, bool& missing) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml")
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      std::cerr << fmt::format("{}:1:1: error: no such file or directory\n", path);
      missing = true;
    }
  }
  return files;
}

// A study (it has `study:`) is run by `iocsim sweep`, not checked.
bool is_study(const std::string& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    return root.IsMap() && root["study"];
  } catch (const YAML::Exception&) {
    return false;  // the scenario loader reports what is wrong with it
  }
}

// In the order of the policy table (docs/format.md 4).
std::vector<std::string> policies_of(const scenario::Scenario& s) {
  const bool every = s.expect.count("all") != 0;
  std::vector<std::string> policies;
  for (const std::string& policy : vfio::policy_names())
    if (every || s.expect.count(policy)) policies.push_back(policy);
  if (policies.empty()) policies.push_back(s.kernel.policy);
  return policies;
}

std::string first_failure(const nlohmann::json& report) {
  for (const auto& e : report["expectations"]) {
    if (e["passed"].get<bool>()) continue;
    const std::string where = e["step"].is_null()
                                  ? std::string("end of run")
                                  : fmt::format("step {}", e["step"].get<size_t>());
    return fmt::format("{}: expected {}, got {}", where, e["what"].get<std::string>(),
                       e["actual"].get<std::string>());
  }
  for (const auto& i : report["invariants"])
    if (!i["held"].get<bool>()) return "invariant broken: " + i["name"].get<std::string>();
  return "";
}

CheckCase to_case(const std::string& file, const std::string& policy,
                  const ChildOutcome& outcome) {
  CheckCase c{file, policy, CheckCase::Status::passed, "", "", outcome.seconds};
  if (outcome.exit_code == kExitInternal) {
    c.status = CheckCase::Status::internal_error;
    c.message = outcome.error;
  } else if (outcome.exit_code != kExitOk) {
    c.status = CheckCase::Status::failed;
    c.message = first_failure(outcome.report);
    c.detail = report::render_text(outcome.report, 1);
  }
  return c;
}

void print(const CheckCase& c, int verbosity) {
  switch (c.status) {
    case CheckCase::Status::passed:
      if (verbosity >= 0)
        std::cout << fmt::format("PASS  {} [{}] {:.2f}s\n", c.file, c.policy, c.seconds);
      break;
    case CheckCase::Status::failed:
      std::cout << fmt::format("FAIL  {} [{}] {}\n", c.file, c.policy, c.message);
      break;
    case CheckCase::Status::internal_error:
      std::cout << fmt::format("ERROR {} [{}] internal error: {}\n", c.file, c.policy,
                               c.message);
      break;
    case CheckCase::Status::bad_input:
      std::cout << fmt::format("ERROR {} (bad input)\n", c.file);
      break;
  }
  std::cout.flush();
}

}  // namespace

int check_command(const CheckArgs& args) {
  const RunSelection& selection = args.selection;
  if (!selection.valid()) return kExitBadInput;
  if (!args.junit.text.empty() && !output_writable(args.junit, "--junit")) return kExitBadInput;
  const scenario::LoadOptions options = selection.load_options();
  // A mistake on the command line is every file's: it is reported once.
  std::set<std::string> reported;
  bool missing = false;
  const std::vector<std::string> files = scenario_files(args.paths, missing);

  // Load everything first: bad files are reported in file order, and the
  // runs of the good ones are scheduled together.
  std::vector<std::optional<scenario::Scenario>> loaded;
  std::vector<CheckCase> cases;  // in file order, then policy order
  std::vector<size_t> case_of_job;
  std::vector<ChildJob> jobs;
  loaded.reserve(files.size());
  size_t studies = 0;
  for (const std::string& file : files) {
    if (is_study(file)) {
      ++studies;
      continue;
    }
    yaml::Diagnostics diags;
    loaded.push_back(scenario::load_scenario(file, options, diags));
    if (!loaded.back()) {
      std::ostringstream detail;
      for (const auto& d : diags.list()) {
        const std::string line = d.format();
        if (d.file != "<command-line>" || reported.insert(line).second) std::cerr << line << "\n";
        detail << line << "\n";
      }
      const std::string first = diags.list().empty() ? "" : diags.list().front().format();
      cases.push_back({file, "", CheckCase::Status::bad_input, first, detail.str(), 0});
      continue;
    }
    const bool by_backend = selection.backends().size() > 1;
    for (const scenario::RunOptions& run : selection.runs(policies_of(*loaded.back()))) {
      case_of_job.push_back(cases.size());
      const std::string label = by_backend ? run.policy + "/" + run.backend : run.policy;
      cases.push_back({file, label, CheckCase::Status::passed, "", "", 0});
      jobs.push_back({&*loaded.back(), run, {}});
    }
  }

  // Cases print in order: a bad file prints when every case before it has.
  size_t printed = 0;
  auto print_until = [&](size_t end) {
    for (; printed < end; ++printed) print(cases[printed], args.verbosity);
  };
  run_in_children(jobs, args.jobs, [&](size_t job, const ChildOutcome& outcome) {
    const size_t index = case_of_job[job];
    cases[index] = to_case(cases[index].file, cases[index].policy, outcome);
    print_until(index + 1);
  });
  print_until(cases.size());

  size_t passed = 0, failed = 0, bad = 0, broken = 0;
  for (const CheckCase& c : cases) {
    switch (c.status) {
      case CheckCase::Status::passed: ++passed; break;
      case CheckCase::Status::failed: ++failed; break;
      case CheckCase::Status::bad_input: ++bad; break;
      case CheckCase::Status::internal_error: ++broken; break;
    }
  }
  std::cout << fmt::format("{} passed, {} failed, {} bad input, {} internal errors{}\n", passed,
                           failed, bad, broken,
                           studies ? fmt::format(" ({} studies skipped: run them with "
                                                 "iocsim sweep)",
                                                 studies)
                                   : std::string());
  if (!args.junit.text.empty()) {
    std::ofstream out(args.junit.text);
    report::write_junit(cases, out);
    if (!out) {
      std::cerr << fmt::format("iocsim: error: cannot write {}\n", args.junit.text);
      return kExitInternal;
    }
  }
  if (broken) return kExitInternal;
  if (bad || missing) return kExitBadInput;
  if (failed) return kExitFailed;
  return kExitOk;
}

}  // namespace iocsim::app
