// SPDX-License-Identifier: GPL-2.0-only
// The top-level sections of a scenario file; steps are in step_loader.cpp.
#include "scenario/loader.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/spelling.h"
#include "platform/catalog.h"
#include "platform/preset.h"
#include "scenario/loader_context.h"
#include "vfio/flush_policy.h"

namespace iocsim::scenario {
namespace {

const std::vector<std::string> kReservedNames{"latest", "nobody", "all"};

// A policy name a scenario may use (`all` only where it stands for every policy).
std::optional<std::string> policy_name(const yaml::Reader& r, const YAML::Node& node,
                                       bool allow_all) {
  auto name = r.string(node, "policy");
  if (!name) return std::nullopt;
  if ((allow_all && *name == "all") || vfio::find_policy(*name)) return name;
  if (*name == "all") {
    r.error(node, "'all' is not a policy here: to run every policy, use --policy all");
    return std::nullopt;
  }
  r.error(node, fmt::format("unknown policy '{}'{}", *name,
                            did_you_mean(*name, vfio::policy_names())));
  return std::nullopt;
}

void load_kernel(const yaml::Reader& r, const YAML::Node& node, KernelSettings& k) {
  if (!r.expect_map(node, "kernel")) return;
  r.check_keys(node, {"base", "policy", "dma_entry_limit"}, "kernel");
  if (node["base"]) {
    if (auto base = r.choice(node["base"], "kernel base", vfio::kernel_base_names()))
      k.base = *vfio::kernel_base_named(*base);
  }
  if (node["policy"]) {
    if (auto policy = policy_name(r, node["policy"], false)) k.policy = *policy;
  }
  if (node["dma_entry_limit"]) {
    if (auto limit = r.integer(node["dma_entry_limit"], "dma_entry_limit")) {
      if (*limit > UINT32_MAX)
        r.error(node["dma_entry_limit"], "dma_entry_limit must fit in 32 bits");
      else
        k.dma_entry_limit = static_cast<unsigned>(*limit);
    }
  }
}

void load_principals(const yaml::Reader& r, const YAML::Node& node, Scenario& s) {
  if (!r.expect_map(node, "principals")) return;
  for (const auto& kv : node) {
    auto name = r.name(kv.first, "principal name");
    if (!name) continue;
    for (const auto& reserved : kReservedNames)
      if (*name == reserved)
        r.error(kv.first, fmt::format("'{}' is a reserved word and cannot name a principal", *name));
    Principal p;
    p.name = *name;
    p.id = static_cast<OwnerId>(s.principals.size() + 1);
    const YAML::Node& body = kv.second;
    if (!body.IsNull()) {
      const std::string what = fmt::format("principal '{}'", *name);
      if (!r.expect_map(body, what)) {
        s.principals.push_back(p);  // known by name, so references to it do not cascade
        continue;
      }
      r.check_keys(body, {"memlock", "cap_ipc_lock"}, what);
      if (body["memlock"]) {
        if (body["memlock"].IsScalar() && body["memlock"].Scalar() == "unlimited") {
          p.memlock = UINT64_MAX;
        } else if (auto bytes = r.size(body["memlock"], "memlock")) {
          p.memlock = *bytes;
        }
      }
      if (body["cap_ipc_lock"]) {
        if (auto cap = r.boolean(body["cap_ipc_lock"], "cap_ipc_lock")) p.cap_ipc_lock = *cap;
      }
    }
    s.principals.push_back(p);
  }
}

void load_iommus(const yaml::Reader& r, const YAML::Node& node,
                 std::vector<platform::UnitSpec>& units) {
  if (!r.expect_map(node, "iommus")) return;
  for (const auto& kv : node) {
    auto name = r.name(kv.first, "iommu name");
    if (!name) continue;
    platform::UnitSpec* existing = platform::find_unit(units, *name);
    auto parsed = platform::parse_iommu_unit(r, kv.second, *name, existing);
    if (!parsed) continue;
    if (existing) *existing = *parsed;
    else units.push_back(*parsed);
  }
}

// A device's own link and DMA engine parameters over the platform's
// (platform/catalog.h is_device_param), into `out`; false after reporting
// problems.
bool parse_device_params(const detail::LoaderContext& ctx, const YAML::Node& node,
                         std::map<std::string, std::string>& out) {
  const yaml::Reader& r = ctx.r;
  if (!r.expect_map(node, "params")) return false;
  params::Set set = ctx.s.platform.params;
  const platform::ParamRefusal platform_only = [](const std::string& name) {
    return platform::is_device_param(name)
               ? std::nullopt
               : std::optional<std::string>(fmt::format(
                     "'{}' is the platform's: a device sets only its link's and its DMA "
                     "engines' parameters (pcie.*, dma.*)",
                     name));
  };
  bool ok = true;
  for (const auto& kv : node) {
    if (auto entry = platform::set_param(r, kv.first, kv.second, set, platform_only))
      out[entry->first] = entry->second;
    else
      ok = false;
  }
  if (!ok) return false;
  // Only what the device's values break: the platform's own problems are
  // reported once, at the platform.
  const std::vector<std::string> platform_problems =
      platform::inconsistencies(ctx.s.platform.params);
  for (const auto& problem : platform::inconsistencies(set)) {
    if (std::find(platform_problems.begin(), platform_problems.end(), problem) !=
        platform_problems.end())
      continue;
    r.error(node, problem);
    ok = false;
  }
  return ok;
}

// Reads one device's definition into `d`; false after reporting problems.
bool parse_device(detail::LoaderContext& ctx, const YAML::Node& body, Device& d,
                  std::vector<vfio::ResvRegion>& reserved,
                  std::map<vfio::GroupId, std::string>& group_unit,
                  std::map<std::string, std::string>& device_params) {
  const yaml::Reader& r = ctx.r;
  const std::string what = fmt::format("device '{}'", d.name);
  if (!r.expect_map(body, what)) return false;
  r.check_keys(body,
               {"owner", "group", "iommu", "no_snoop", "reserved", "emulated",
                "honours_nosnoop_enable", "params"},
               what);
  bool ok = true;
  if (body["emulated"]) {
    auto emulated = r.boolean(body["emulated"], "emulated");
    ok = ok && emulated;
    d.emulated = emulated.value_or(false);
  }
  for (const char* key : {"owner", "group", "iommu"}) {
    if (!body[key] && !(d.emulated && std::string(key) == "iommu")) {
      r.error(body, fmt::format("{} needs '{}'", what, key));
      ok = false;
    }
  }
  if (d.emulated) {
    for (const char* key : {"iommu", "no_snoop", "reserved", "honours_nosnoop_enable", "params"}) {
      if (body[key]) {
        r.error(body[key], fmt::format("an emulated device has no IOMMU and does no DMA: '{}' "
                                       "does not apply",
                                       key));
        ok = false;
      }
    }
  }
  if (body["owner"]) {
    auto owner = ctx.principal(body["owner"], "owner");
    ok = ok && owner;
    d.owner = owner.value_or(0);
  }
  if (body["group"]) {
    auto group = r.integer(body["group"], "group");
    if (group && *group > INT32_MAX) {
      r.error(body["group"], "group numbers must fit in 31 bits");
      group.reset();
    }
    ok = ok && group;
    d.group = static_cast<vfio::GroupId>(group.value_or(0));
  }
  if (body["iommu"]) {
    auto iommu = r.string(body["iommu"], "iommu");
    const platform::UnitSpec* unit =
        iommu ? platform::find_unit(ctx.s.platform.iommus, *iommu) : nullptr;
    if (iommu && !unit) {
      std::vector<std::string> units;
      for (const auto& u : ctx.s.platform.iommus) {
        units.push_back(u.name);
        units.insert(units.end(), u.aliases.begin(), u.aliases.end());
      }
      r.error(body["iommu"], fmt::format("the platform has no IOMMU unit '{}'{}", *iommu,
                                         did_you_mean(*iommu, units)));
    }
    ok = ok && unit;
    d.iommu = unit ? unit->name : "";
  }
  if (ok) {
    // An emulated group has no unit; a group cannot mix the two kinds.
    const std::string unit = d.emulated ? std::string() : d.iommu;
    auto [placed, fresh] = group_unit.emplace(d.group, unit);
    if (!fresh && placed->second != unit) {
      r.error(d.emulated ? body["emulated"] : body["iommu"],
              fmt::format("group {} already has {}", d.group,
                          placed->second.empty() ? std::string("emulated devices")
                                                 : "IOMMU unit '" + placed->second + "'"));
      ok = false;
    }
  }
  if (body["no_snoop"]) {
    auto v = r.boolean(body["no_snoop"], "no_snoop");
    ok = ok && v;
    d.no_snoop = v.value_or(false);
  }
  if (body["honours_nosnoop_enable"]) {
    auto v = r.boolean(body["honours_nosnoop_enable"], "honours_nosnoop_enable");
    ok = ok && v;
    d.honours_nosnoop_enable = v.value_or(true);
  }
  if (body["reserved"]) {
    auto regions = platform::parse_reserved(r, body["reserved"]);
    ok = ok && regions;
    if (regions) reserved = *regions;
  }
  if (body["params"] && !d.emulated) ok = parse_device_params(ctx, body["params"], device_params) && ok;
  return ok;
}

void load_devices(detail::LoaderContext& ctx, const YAML::Node& node,
                  const std::vector<vfio::ResvRegion>& default_reserved) {
  Scenario& s = ctx.s;
  if (!ctx.r.expect_map(node, "devices")) return;
  std::map<vfio::GroupId, std::string> group_unit;
  for (const auto& kv : node) {
    auto name = ctx.r.name(kv.first, "device name");
    if (!name) continue;
    Device d;
    d.name = *name;
    d.stream_id = static_cast<uint32_t>(s.devices.size() + 1);
    std::vector<vfio::ResvRegion> reserved = default_reserved;
    std::map<std::string, std::string> device_params;
    const bool ok = parse_device(ctx, kv.second, d, reserved, group_unit, device_params);
    // Known by name even when its definition is wrong, so references to it
    // do not cascade into more errors (the scenario is rejected anyway).
    s.devices.push_back(d);
    if (ok && !d.emulated)
      s.platform.devices.push_back({d.name, d.stream_id, s.principals[d.owner].id, d.group,
                                    d.iommu, reserved, d.honours_nosnoop_enable,
                                    std::move(device_params)});
  }
}

void load_expect(const yaml::Reader& r, const YAML::Node& node, Scenario& s) {
  if (!r.expect_map(node, "expect")) return;
  const std::vector<std::string> keys = run_keys();
  for (const auto& kv : node) {
    auto policy = policy_name(r, kv.first, true);
    if (!policy) continue;
    const std::string what = fmt::format("expect of '{}'", *policy);
    if (!r.expect_map(kv.second, what)) continue;
    auto& list = s.expect[*policy];
    for (const auto& e : kv.second) {
      auto key = r.string(e.first, "expectation key");
      if (!key) continue;
      if (*key == "invariants") {
        auto value = r.string(e.second, "invariants");
        if (value && *value != "hold")
          r.error(e.second, "invariants can only be expected to 'hold'");
        else if (value)
          list.push_back({*key, {}, true});
        continue;
      }
      auto quantity = run_key_quantity(*key);
      if (!quantity) {
        r.error(e.first, fmt::format("unknown key '{}' in {}{}", *key, what,
                                     did_you_mean(*key, keys)));
        continue;
      }
      auto text = r.string(e.second, *key);
      if (!text) continue;
      auto cmp = parse_comparison(*text, *quantity);
      if (!cmp) {
        r.error(e.second, fmt::format("{}: {}", *key, cmp.error()));
        continue;
      }
      list.push_back({*key, *cmp, false});
    }
  }
}

void load_validation(const yaml::Reader& r, const YAML::Node& node, Scenario& s) {
  if (!node.IsSequence()) {
    r.error(node, "validation must be a list of measurements");
    return;
  }
  for (const YAML::Node& entry : node) {
    if (!r.expect_map(entry, "a validation entry")) continue;
    r.check_keys(entry, {"what", "step", "published", "source", "machine", "kernel"},
                 "a validation entry");
    ValidationPoint v;
    bool ok = true;
    for (const char* key : {"what", "step", "published", "source"})
      if (!entry[key]) {
        r.error(entry, fmt::format("a validation entry needs '{}'", key));
        ok = false;
      }
    if (!ok) continue;
    const auto what = r.string(entry["what"], "what");
    const auto source = r.string(entry["source"], "source");
    const auto step = r.string(entry["step"], "step");
    const auto published = r.duration(entry["published"], "published");
    if (!what || !source || !step || !published) continue;
    v.what = *what;
    v.source = *source;
    if (published->in_cycles) {
      r.error(entry["published"], "published must be a time (ns, us, ms, s), not cycles");
      continue;
    }
    v.published = *published;
    const auto named = std::find_if(s.steps.begin(), s.steps.end(),
                                    [&](const Step& st) { return st.name == *step; });
    if (named == s.steps.end()) {
      r.error(entry["step"], fmt::format("no step is named '{}' (give the step 'name: {}')",
                                         *step, *step));
      continue;
    }
    v.step = static_cast<size_t>(named - s.steps.begin());
    if (entry["machine"]) {
      if (auto machine = r.string(entry["machine"], "machine")) v.machine = *machine;
    }
    if (entry["kernel"]) {
      auto base = r.choice(entry["kernel"], "kernel base", vfio::kernel_base_names());
      if (!base) continue;
      v.kernel = *vfio::kernel_base_named(*base);
    }
    s.validation.push_back(std::move(v));
  }
}

}  // namespace

std::optional<Scenario> load_scenario(const std::string& path, const LoadOptions& options,
                                      yaml::Diagnostics& diags) {
  yaml::Reader r(path, diags);
  auto loaded = r.load();
  if (!loaded) return std::nullopt;
  const YAML::Node root = *loaded;
  if (!r.expect_map(root, "a scenario")) return std::nullopt;
  r.check_keys(root,
               {"scenario", "summary", "vars", "platform", "kernel", "principals", "devices",
                "iommus", "steps", "expect", "validation"},
               "a scenario");
  std::map<std::string, std::string> vars;
  if (!substitute_vars(r, root, options.vars, vars)) return std::nullopt;

  Scenario s;
  s.file = path;
  s.vars = std::move(vars);
  detail::LoaderContext ctx(r, s);

  if (!root["scenario"])
    r.error(root, "a scenario needs 'scenario: NAME'");
  else if (auto name = r.name(root["scenario"], "scenario name"))
    s.name = *name;
  if (root["summary"])
    if (auto summary = r.string(root["summary"], "summary")) s.summary = *summary;

  // The platform: a preset, the scenario's parameter overrides, then --set.
  std::string preset_name = "default";
  YAML::Node preset_node;
  std::vector<std::pair<YAML::Node, YAML::Node>> inline_params;
  if (const YAML::Node platform = root["platform"]) {
    if (platform.IsScalar()) {
      preset_name = platform.Scalar();
      preset_node = platform;
    } else if (r.expect_map(platform, "platform")) {
      for (const auto& kv : platform) {
        if (kv.first.IsScalar() && kv.first.Scalar() == "preset") {
          if (auto name = r.string(kv.second, "preset")) preset_name = *name;
          preset_node = kv.second;
        } else {
          inline_params.emplace_back(kv.first, kv.second);
        }
      }
    }
  }
  if (options.platform) preset_name = *options.platform;
  s.platform.preset = preset_name;
  // A bundled preset's name that does not exist is the scenario's mistake,
  // reported where it is written.
  if (const auto unknown = platform::unknown_preset(preset_name)) {
    const std::string& message = *unknown;
    if (options.platform || !preset_node) {
      YAML::Mark where;
      where.column = options.platform_column - 1;
      diags.error("<command-line>", where, "--platform: " + message);
    } else {
      r.error(preset_node, message);
    }
    return std::nullopt;
  }
  auto preset = platform::load_preset(preset_name, diags);
  params::Set params(platform::catalog(), platform::kClockParam);
  std::vector<vfio::ResvRegion> default_reserved;
  if (preset) {
    for (const auto& [name, text] : preset->params) params.set(name, text);
    s.platform.iommus = preset->iommus;
    default_reserved = preset->reserved;
  }
  for (const auto& [key, value] : inline_params)
    if (auto set = platform::set_param(r, key, value, params)) s.overrides[set->first] = set->second;
  for (const auto& set : options.sets) {
    YAML::Mark where;
    where.column = set.column - 1;
    const auto eq = set.text.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error("<command-line>", where,
                  fmt::format("--set '{}': expected KEY=VALUE", set.text));
      continue;
    }
    const std::string name = set.text.substr(0, eq), text = set.text.substr(eq + 1);
    if (s.vars.count(name))
      diags.error("<command-line>", where,
                  fmt::format("--set '{}': '{}' is a variable of the scenario, not a parameter: "
                              "--var {}",
                              set.text, name, set.text));
    else if (auto error = params.set(name, text))
      diags.error("<command-line>", where, fmt::format("--set '{}': {}", set.text, *error));
    else
      s.overrides[name] = text;
  }
  if (preset) {
    const YAML::Node at = root["platform"] ? root["platform"] : root;
    for (const auto& problem : platform::inconsistencies(params)) r.error(at, problem);
  }
  s.platform.params = params;

  if (root["iommus"]) load_iommus(r, root["iommus"], s.platform.iommus);
  if (root["kernel"]) load_kernel(r, root["kernel"], s.kernel);
  if (root["principals"]) load_principals(r, root["principals"], s);
  if (root["devices"]) load_devices(ctx, root["devices"], default_reserved);
  if (!root["steps"])
    r.error(root, "a scenario needs 'steps'");
  else
    ctx.load_steps(root["steps"]);
  if (root["expect"]) load_expect(r, root["expect"], s);
  if (root["validation"]) load_validation(r, root["validation"], s);

  if (!diags.empty()) return std::nullopt;
  return s;
}

}  // namespace iocsim::scenario
