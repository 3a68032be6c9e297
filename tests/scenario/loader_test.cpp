// SPDX-License-Identifier: GPL-2.0-only
// Loading scenarios: what a valid file becomes, and the exact error line for
// each kind of mistake.
#include <string>

#include <catch2/catch.hpp>

#include "scenario/loader.h"
#include "temp_file.h"

using namespace iocsim;
using namespace iocsim::scenario;

namespace {

const char* kValid = R"(scenario: demo
summary: a small valid scenario
platform: {preset: default, llc.size: 6MiB}
kernel: {base: v6.18, policy: posted-v1, dma_entry_limit: 10}
principals:
  vm-a: {memlock: 1GiB, cap_ipc_lock: true}
  vm-b: {}
devices:
  gpu0: {owner: vm-b, group: 7, iommu: dmar-gfx, no_snoop: true}
steps:
  - touch: {as: vm-b, va: 0x7f1000000000, size: 2MiB, fill: secret}
  - open: {container: c0, as: vm-b}
  - attach: {container: c0, group: 7}
  - map: {container: c0, as: vm-b, va: 0x7f1000000000, iova: 0, size: 2MiB, flags: [read, write]}
  - name: probe
    at: 5us
    dma: {device: gpu0, read: {iova: 0, size: 4KiB}}
    expect: {sees: latest}
  - unmap: {container: c0, iova: 0, size: 2MiB, expect: {unmapped: 2MiB}}
  - wait: 1us
expect:
  posted-v1: {leaks: 0, max_window_ns: "<1ms"}
  all: {invariants: hold}
)";

struct Loaded {
  std::optional<Scenario> scenario;
  std::vector<std::string> errors;
};

Loaded load_text(const std::string& text, LoadOptions options = {}) {
  const TempFile file("loader-test", text);
  yaml::Diagnostics diags;
  Loaded l;
  l.scenario = load_scenario(file.path(), options, diags);
  for (const auto& d : diags.list()) l.errors.push_back(d.format());
  return l;
}

// The only error, without the file name.
std::string only_error(const std::string& text) {
  Loaded l = load_text(text);
  CHECK_FALSE(l.scenario);
  REQUIRE(l.errors.size() == 1);
  return l.errors[0].substr(l.errors[0].find(':') + 1);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid scenario loads with every name resolved") {
  Loaded l = load_text(kValid);
  REQUIRE(l.errors.empty());
  const Scenario& s = *l.scenario;
  CHECK(s.name == "demo");
  CHECK(s.kernel.base == vfio::KernelBase::v6_18);
  CHECK(s.kernel.policy == "posted-v1");
  CHECK(s.kernel.dma_entry_limit == 10);
  REQUIRE(s.principals.size() == 2);
  CHECK(s.principals[0].memlock == 1ull << 30);
  CHECK(s.principals[0].cap_ipc_lock);
  CHECK(s.principals[1].memlock == UINT64_MAX);
  REQUIRE(s.devices.size() == 1);
  CHECK(s.devices[0].owner == 1);
  CHECK(s.platform.params.size("llc.size") == 6u << 20);
  CHECK(s.overrides.at("llc.size") == "6MiB");
  REQUIRE(s.steps.size() == 7);
  CHECK(s.steps[4].name == "probe");
  CHECK(s.steps[4].at->amount == 5'000'000);
  CHECK(std::get<DmaStep>(s.steps[4].args).size == 4096);
  CHECK(std::get<MapStep>(s.steps[3].args).flags == 3);
  CHECK(std::get<TouchStep>(s.steps[0].args).fill == 1);
  REQUIRE(s.steps[5].expect.size() == 1);
  CHECK(s.steps[5].expect[0].number.value == 2u << 20);
  CHECK(s.expect.at("posted-v1")[1].number.value == 1'000'000'000);
  CHECK(s.expect.at("all")[0].invariants);
}

TEST_CASE("unknown keys are errors at their position, with a hint") {
  CHECK(only_error(replace(kValid, "summary:", "sumary:")) ==
        "2:1: error: unknown key 'sumary' in a scenario (did you mean 'summary'?)");
  // A misspelt required key is two problems: an unknown key, a missing one.
  Loaded typo = load_text(replace(kValid, "flags: [read, write]", "flgs: [read, write]"));
  REQUIRE(typo.errors.size() == 2);
  CHECK(typo.errors[0].substr(typo.errors[0].find(':') + 1) ==
        "14:77: error: unknown key 'flgs' in step 'map' (did you mean 'flags'?)");
  CHECK(typo.errors[1].substr(typo.errors[1].find(':') + 1) ==
        "14:10: error: step 'map' needs 'flags'");
}

TEST_CASE("values with a wrong, ambiguous or missing unit are rejected") {
  CHECK(only_error(replace(kValid, "size: 4KiB", "size: 4K")) ==
        "17:47: error: size: ambiguous size unit 'K': write a binary unit such as KiB, MiB or GiB");
  CHECK(only_error(replace(kValid, "wait: 1us", "wait: 1")) ==
        "20:11: error: wait: a time needs a unit (ns, us, ms, s or cycles), got '1'");
  CHECK(only_error(replace(kValid, "size: 4KiB", "size: -4KiB")) ==
        "17:47: error: size: negative values are not allowed");
  CHECK(only_error(replace(kValid, "iova: 0, size: 4KiB", "iova: 18446744073709551616, size: 4KiB")) ==
        "17:38: error: iova: value does not fit in 64 bits");
}

TEST_CASE("references to things that do not exist are errors") {
  CHECK(only_error(replace(kValid, "dma: {device: gpu0", "dma: {device: gpu1")) ==
        "17:19: error: unknown device 'gpu1' (did you mean 'gpu0'?)");
  CHECK(only_error(replace(kValid, "attach: {container: c0", "attach: {container: c1")) ==
        "13:25: error: container 'c1' is not opened by an earlier step (did you mean 'c0'?)");
  CHECK(only_error(replace(kValid, "{as: vm-b, va: 0x7f1000000000, size: 2MiB, fill",
                           "{as: vm-c, va: 0x7f1000000000, size: 2MiB, fill")) ==
        "11:17: error: unknown principal 'vm-c' (did you mean 'vm-a'?)");
  CHECK(only_error(replace(kValid, "group: 7}\n  - map", "group: 8}\n  - map")) ==
        "13:36: error: no device is in group 8");
  CHECK(only_error(replace(kValid, "iommu: dmar-gfx", "iommu: dmar-gxf")) ==
        "9:40: error: the platform has no IOMMU unit 'dmar-gxf' (did you mean 'dmar-gfx'?)");
}

TEST_CASE("policies must exist, in the kernel section and in expectations") {
  CHECK(only_error(replace(kValid, "policy: posted-v1", "policy: posted-v2")) ==
        "4:31: error: unknown policy 'posted-v2' (did you mean 'posted-v1'?)");
  CHECK(only_error(replace(kValid, "posted-v1: {leaks", "wbinv: {leaks")) ==
        "22:3: error: unknown policy 'wbinv' (did you mean 'wbinvd'?)");
  CHECK(only_error(replace(kValid, "policy: posted-v1", "policy: all")) ==
        "4:31: error: 'all' is not a policy here: to run every policy, use --policy all");
}

TEST_CASE("parameters that contradict each other are bad input, not an internal error") {
  CHECK(only_error(replace(kValid, "llc.size: 6MiB", "llc.size: 8MiB")) ==
        "3:11: error: llc.size (8MiB) must be a whole number of 64-byte lines per way (llc.ways "
        "is 12)");
}

TEST_CASE("every problem in a file is reported, each on its own line") {
  std::string text = replace(kValid, "summary:", "sumary:");
  text = replace(text, "wait: 1us", "wait: soon");
  Loaded l = load_text(text);
  CHECK_FALSE(l.scenario);
  CHECK(l.errors.size() >= 2);
}

TEST_CASE("broken files: syntax errors, empty files, binary garbage, duplicates") {
  CHECK(only_error("scenario: x\nsteps: [\n") ==
        "3:1: error: YAML syntax error: end of sequence flow not found");
  CHECK(only_error("") == "1:1: error: the file is empty: expected a mapping");
  CHECK(only_error(std::string("scenario: x\n\x01\x02garbage")) ==
        "2:1: error: control character 0x01: not a YAML text file");
  CHECK(only_error("- just\n- a list\n") == "1:1: error: a scenario must be a mapping");
  CHECK(only_error(replace(kValid, "summary: a small valid scenario",
                           "summary: a\nsummary: b")) == "3:1: error: duplicate key 'summary'");
}

TEST_CASE("a spawn step starts a named actor with a pattern, a range and a limit") {
  Loaded l = load_text(replace(kValid, "  - wait: 1us",
                               "  - spawn: {name: hunter, device: gpu0, pattern: stream, iova: 0, "
                               "size: 8KiB, every: 10ns, until: last}\n"
                               "  - {name: last, wait: 1us}"));
  REQUIRE(l.scenario);
  const Step& step = l.scenario->steps.at(6);
  CHECK(step.name == "hunter");
  const auto& x = std::get<SpawnStep>(step.args);
  CHECK(x.pattern == models::DmaPattern::stream);
  CHECK(x.size == 8192);
  CHECK(x.every.amount == 10'000);
  CHECK(x.until_step == std::optional<std::string>("last"));
  CHECK_FALSE(x.until_time);
  CHECK_FALSE(x.write);
}

TEST_CASE("a spawn step's mistakes are reported where they are") {
  const std::string spawn = "  - spawn: {name: hunter, device: gpu0, pattern: probe, iova: 0, size: 8KiB";
  auto with = [&](const std::string& rest) {
    return replace(kValid, "  - wait: 1us", spawn + rest + "}\n  - {name: last, wait: 1us}");
  };
  CHECK(only_error(with(", until: lsat")) ==
        "20:85: error: until: no later step is named 'lsat' (did you mean 'last'?) (a time, a "
        "later step's name, or end)");
  CHECK(only_error(with(", until: probe")).find("no later step is named 'probe'") !=
        std::string::npos);
  CHECK(only_error(with(", fill: x")) ==
        "20:84: error: only an actor that writes stores data ('fill')");
  CHECK(only_error(replace(with(""), "pattern: probe", "pattern: sweep"))
            .find("20:50: error: unknown pattern") == 0);
  CHECK(only_error(replace(with(""), "size: 8KiB", "size: 100"))
            .find("whole 64-byte lines") != std::string::npos);
  CHECK(only_error(replace(with(""), "name: hunter, ", "")) ==
        "20:12: error: a spawn step needs 'name': it names the actor");
}

TEST_CASE("reserved regions keep their types and replace the platform's") {
  Loaded l = load_text(replace(kValid, "no_snoop: true}",
                               "no_snoop: true, reserved: [[0x1000, 0x1FFF], "
                               "{range: [0x100000, 0x1FFFFF], type: direct-relaxable}]}"));
  REQUIRE(l.scenario);
  const auto& regions = l.scenario->platform.devices.at(0).reserved;
  REQUIRE(regions.size() == 2);
  CHECK(regions[0].type == vfio::ResvType::msi);
  CHECK(regions[0].length == 0x1000);
  CHECK(regions[1].type == vfio::ResvType::direct_relaxable);
  CHECK(regions[1].start == 0x100000);
}

TEST_CASE("a --set override applies last, a bad one is reported at its column") {
  LoadOptions options;
  options.sets.push_back({"llc.ways=16", 20});
  Loaded ok = load_text(kValid, options);
  REQUIRE(ok.scenario);
  CHECK(ok.scenario->platform.params.count("llc.ways") == 16);
  CHECK(ok.scenario->overrides.at("llc.ways") == "16");

  options.sets = {{"llc.wayz=16", 31}};
  Loaded bad = load_text(kValid, options);
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0] ==
        "<command-line>:1:31: error: --set 'llc.wayz=16': unknown parameter 'llc.wayz' (did you "
        "mean 'llc.ways'?)");
}

TEST_CASE("a preset's unit answers to its aliases, so scenarios run on other machines") {
  LoadOptions arm;
  arm.platform = "arm-smmu";
  Loaded l = load_text(kValid, arm);
  REQUIRE(l.scenario);
  CHECK(l.scenario->platform.devices.at(0).iommu == "smmu-gpu");  // the scenario said dmar-gfx
  std::vector<std::string> units;
  for (const auto& u : l.scenario->platform.iommus) units.push_back(u.name);
  CHECK(units == std::vector<std::string>{"smmu0", "smmu-gpu"});  // the inherited VT-d units are gone
  CHECK(l.scenario->platform.params.text("cpu.flush") == "dc-civac");
}

TEST_CASE("a flush instruction of another instruction set is an inconsistency") {
  LoadOptions wrong;
  wrong.platform = "arm-smmu";
  wrong.sets.push_back({"cpu.flush=clflushopt", 1});
  Loaded l = load_text(kValid, wrong);
  CHECK_FALSE(l.scenario);
  REQUIRE(l.errors.size() == 1);
  CHECK(l.errors[0].find("cpu.flush clflushopt does not exist on cpu.isa arm64") !=
        std::string::npos);
}

TEST_CASE("a device's own link and engine parameters are checked and kept") {
  Loaded l = load_text(replace(kValid, "no_snoop: true}",
                               "no_snoop: true, params: {pcie.gen: 3, dma.outstanding: 64}}"));
  REQUIRE(l.scenario);
  const auto& params = l.scenario->platform.devices.at(0).params;
  CHECK(params == std::map<std::string, std::string>{{"pcie.gen", "3"},
                                                     {"dma.outstanding", "64"}});
  // The platform's parameters stay the platform's.
  CHECK(only_error(replace(kValid, "no_snoop: true}", "no_snoop: true, params: {llc.ways: 8}}"))
            .find("'llc.ways' is the platform's") != std::string::npos);
  CHECK(only_error(replace(kValid, "no_snoop: true}", "no_snoop: true, params: {pcie.gne: 3}}"))
            .find("unknown parameter 'pcie.gne' (did you mean 'pcie.gen'?)") != std::string::npos);
  CHECK(only_error(replace(kValid, "no_snoop: true}",
                           "no_snoop: true, params: {pcie.read_completion: 512B}}"))
            .find("at most pcie.max_payload") != std::string::npos);
}
