// SPDX-License-Identifier: GPL-2.0-only
// `iocsim check PATH...`: every scenario under the paths, under every policy
// its expect block names (or its own policy when it names none), each in a
// child process; one line per scenario and policy, then a summary.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "app/child_run.h"
#include "app/commands.h"
#include "app/exit_codes.h"

namespace iocsim::app {
namespace {

namespace fs = std::filesystem;

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

std::vector<std::string> policies_of(const scenario::Scenario& s) {
  std::vector<std::string> policies;
  for (const auto& [policy, list] : s.expect)
    if (policy != "all") policies.push_back(policy);
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

}  // namespace

int check_command(const CheckArgs& args) {
  bool missing = false;
  const std::vector<std::string> files = scenario_files(args.paths, missing);
  size_t passed = 0, failed = 0, bad = 0, broken = 0;
  for (const std::string& file : files) {
    yaml::Diagnostics diags;
    auto loaded = scenario::load_scenario(file, {}, diags);
    if (!loaded) {
      for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
      std::cout << fmt::format("ERROR {} (bad input)\n", file);
      ++bad;
      continue;
    }
    for (const std::string& policy : policies_of(*loaded)) {
      const auto start = std::chrono::steady_clock::now();
      const ChildOutcome outcome = run_in_child(*loaded, {policy, std::nullopt, 1});
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (outcome.exit_code == kExitInternal) {
        std::cout << fmt::format("ERROR {} [{}] internal error: {}\n", file, policy,
                                 outcome.error);
        ++broken;
      } else if (outcome.exit_code == kExitOk) {
        if (args.verbosity >= 0)
          std::cout << fmt::format("PASS  {} [{}] {:.2f}s\n", file, policy, seconds);
        ++passed;
      } else {
        std::cout << fmt::format("FAIL  {} [{}] {}\n", file, policy,
                                 first_failure(outcome.report));
        ++failed;
      }
    }
  }
  std::cout << fmt::format("{} passed, {} failed, {} bad input, {} internal errors\n", passed,
                           failed, bad, broken);
  if (broken) return kExitInternal;
  if (bad || missing) return kExitBadInput;
  if (failed) return kExitFailed;
  return kExitOk;
}

}  // namespace iocsim::app
