// SPDX-License-Identifier: GPL-2.0-only
// iocsim-stress: random step sequences against the VFIO ports, with the
// kernel invariants checked after every step and the restore check after
// every failing one. Each sequence is a scenario run in its own process
// under a policy, kernel base and backend chosen by its seed. A failure prints the
// seed and writes the smallest sequence that still fails the same way.
//
//   iocsim-stress --seed 1 --steps 1000000 --per-scenario 200 -j 2 --out DIR
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/child_run.h"
#include "app/exit_codes.h"
#include "scenario/loader.h"
#include "step_generator.h"
#include "vfio/flush_policy.h"

namespace fs = std::filesystem;
using namespace iocsim;

namespace {

struct Options {
  uint64_t seed = 1;
  size_t steps = 20000;
  size_t per_scenario = 200;
  size_t jobs = 2;
  std::string out = "stress-out";
  bool keep = false;
};

scenario::RunOptions run_options(uint64_t seed) {
  const auto policies = vfio::policy_names();
  scenario::RunOptions o;
  o.policy = policies[seed % policies.size()];
  o.base = (seed / policies.size()) % 2 ? vfio::KernelBase::v6_18 : vfio::KernelBase::v6_9;
  // Every container on one backend: with 7 policies, each policy meets both.
  o.backend = seed % 2 ? "iommufd" : "type1";
  o.seed = seed;
  o.invariants_every_step = true;
  return o;
}

// What went wrong, so the minimizer keeps failures of the same kind; empty
// if nothing did (failed expectations do not count: generated steps expect
// nothing in particular).
std::string failure(const app::ChildOutcome& outcome) {
  if (outcome.exit_code == app::kExitInternal) return "internal error: " + outcome.error;
  for (const auto& i : outcome.report["invariants"])
    if (!i["held"].get<bool>())
      return "invariant broken: " + i["name"].get<std::string>() + " (" +
             i.value("detail", std::string()) + ")";
  return "";
}

std::string kind_of(const std::string& failure) { return failure.substr(0, failure.find(" (")); }

struct Trial {
  std::optional<scenario::Scenario> scenario;
  std::string failure;  // empty: passed; "bad input: ..." if it does not load
};

Trial run(const std::string& path, uint64_t seed, const std::vector<std::string>& steps) {
  std::ofstream(path) << stress::scenario_text(seed, steps);
  Trial t;
  yaml::Diagnostics diags;
  t.scenario = scenario::load_scenario(path, {}, diags);
  if (!t.scenario) {
    t.failure = "bad input: " + diags.list().front().format();
    return t;
  }
  t.failure = failure(app::run_in_child({&*t.scenario, run_options(seed), {}}));
  return t;
}

// Delta debugging over the steps: drop chunks while the failure stays.
std::vector<std::string> minimize(const std::string& path, uint64_t seed,
                                  std::vector<std::string> steps, const std::string& kind) {
  for (size_t chunk = steps.size() / 2; chunk >= 1; chunk /= 2) {
    for (size_t start = 0; start < steps.size();) {
      std::vector<std::string> fewer = steps;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(start),
                  fewer.begin() + static_cast<std::ptrdiff_t>(std::min(start + chunk, fewer.size())));
      const Trial t = run(path, seed, fewer);
      if (!t.failure.empty() && kind_of(t.failure) == kind)
        steps = std::move(fewer);
      else
        start += chunk;
    }
  }
  return steps;
}

}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Options o;
  CLI::App cli{"iocsim-stress: random VFIO step sequences against the kernel invariants"};
  cli.add_option("--seed", o.seed, "seed of the first sequence (sequence i uses seed + i)");
  cli.add_option("--steps", o.steps, "total number of random steps");
  cli.add_option("--per-scenario", o.per_scenario, "steps per sequence")->check(CLI::Range(1, 100000));
  cli.add_option("-j,--jobs", o.jobs, "sequences run at a time")->check(CLI::Range(1, 1024));
  cli.add_option("--out", o.out, "where sequences and reproducers are written");
  cli.add_flag("--keep", o.keep, "keep the sequences that passed too");
  CLI11_PARSE(cli, argc, argv);

  fs::create_directories(o.out);
  const size_t count = (o.steps + o.per_scenario - 1) / o.per_scenario;
  const auto start = std::chrono::steady_clock::now();
  std::vector<app::ChildJob> jobs;
  std::vector<Trial> trials(count);
  std::vector<std::string> paths(count);
  int status = app::kExitOk;
  // In batches, so the scenarios of one batch live only while it runs.
  const size_t batch = 64;
  size_t done_steps = 0;
  for (size_t first = 0; first < count; first += batch) {
    const size_t last = std::min(count, first + batch);
    jobs.clear();
    std::vector<size_t> job_of;
    for (size_t i = first; i < last; ++i) {
      const uint64_t seed = o.seed + i;
      paths[i] = (fs::path(o.out) / fmt::format("stress-{}.yaml", seed)).string();
      std::ofstream(paths[i]) << stress::scenario_text(seed,
                                                       stress::random_steps(seed, o.per_scenario));
      yaml::Diagnostics diags;
      trials[i].scenario = scenario::load_scenario(paths[i], {}, diags);
      if (!trials[i].scenario) {
        for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
        std::cerr << fmt::format("iocsim-stress: the generator wrote an invalid scenario (seed {})\n",
                                 seed);
        status = app::kExitInternal;
        continue;
      }
      job_of.push_back(i);
      jobs.push_back({&*trials[i].scenario, run_options(seed), {}});
    }
    app::run_in_children(jobs, o.jobs, [&](size_t job, const app::ChildOutcome& outcome) {
      const size_t i = job_of[job];
      trials[i].failure = failure(outcome);
      done_steps += o.per_scenario;
      if (trials[i].failure.empty() && !o.keep) fs::remove(paths[i]);
    });
    for (size_t i = first; i < last; ++i) {
      if (trials[i].failure.empty() || !trials[i].scenario) continue;
      const uint64_t seed = o.seed + i;
      status = app::kExitFailed;
      std::cout << fmt::format("FAIL seed {} ({} under {} on {}): {}\n", seed,
                               vfio::to_string(*run_options(seed).base), run_options(seed).policy,
                               run_options(seed).backend, trials[i].failure);
      const std::string repro = (fs::path(o.out) / fmt::format("stress-failure-{}.yaml", seed)).string();
      const auto steps = minimize(repro, seed, stress::random_steps(seed, o.per_scenario),
                                  kind_of(trials[i].failure));
      std::ofstream(repro) << stress::scenario_text(seed, steps);
      std::cout << fmt::format("  smallest sequence that fails the same way: {} steps in {}\n"
                               "  (run it: iocsim run {} --policy {} --kernel {} --backend {})\n",
                               steps.size(), repro, repro, run_options(seed).policy,
                               vfio::to_string(*run_options(seed).base), run_options(seed).backend);
      trials[i].scenario.reset();
    }
    for (size_t i = first; i < last; ++i) trials[i].scenario.reset();
    std::cerr << fmt::format("\riocsim-stress: {} steps", done_steps);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "\n";
  std::cout << fmt::format("{} random steps in {} sequences (seeds {}..{}), {:.1f} s: {}\n",
                           count * o.per_scenario, count, o.seed, o.seed + count - 1, seconds,
                           status == app::kExitOk ? "every invariant held after every step"
                                                  : "FAILURES above");
  return status;
}

int main(int argc, char* argv[]) { return sc_main(argc, argv); }
