// SPDX-License-Identifier: GPL-2.0-only
#include "scenario/scenario_vars.h"

#include <map>

#include <fmt/format.h>

#include "base/spelling.h"

namespace iocsim::scenario {
namespace {

void substitute(const yaml::Reader& r, YAML::Node node, const std::map<std::string, std::string>& vars,
                const std::vector<std::string>& names) {
  if (node.IsMap()) {
    for (auto kv : node) substitute(r, kv.second, vars, names);
    return;
  }
  if (node.IsSequence()) {
    for (auto item : node) substitute(r, item, vars, names);
    return;
  }
  if (!node.IsScalar()) return;
  const std::string& text = node.Scalar();
  if (text.empty() || text.front() != '$') return;
  const std::string name = text.substr(1);
  auto it = vars.find(name);
  if (it == vars.end()) {
    r.error(node, fmt::format("unknown variable '{}'{} (declare it under 'vars')", name,
                              did_you_mean(name, names)));
    return;
  }
  node = it->second;
}

}  // namespace

bool substitute_vars(const yaml::Reader& r, YAML::Node root,
                     const std::vector<VarOverride>& overrides,
                     std::map<std::string, std::string>& values) {
  const size_t errors_before = r.diags().list().size();
  std::map<std::string, std::string> vars;
  std::vector<std::string> names;
  if (const YAML::Node declared = root["vars"]; declared && r.expect_map(declared, "vars")) {
    r.unique_keys(declared);
    for (const auto& kv : declared) {
      auto name = r.name(kv.first, "variable name", true);
      if (!name) continue;
      if (!kv.second.IsScalar()) {
        r.error(kv.second, fmt::format("variable '{}' needs a scalar value", *name));
        continue;
      }
      vars[*name] = kv.second.Scalar();
      names.push_back(*name);
    }
  }
  for (const VarOverride& o : overrides) {
    auto it = vars.find(o.name);
    if (it == vars.end() && o.command_line_column) {
      YAML::Mark where;
      where.column = o.command_line_column - 1;
      r.diags().error("<command-line>", where,
                      fmt::format("--var '{}={}': the scenario declares no variable '{}'{}",
                                  o.name, o.value, o.name,
                                  names.empty() ? std::string(" (it has no vars)")
                                                : did_you_mean(o.name, names)));
      continue;
    }
    if (it == vars.end()) {
      r.diags().error(r.file(), YAML::Mark{},
                      fmt::format("{} sets variable '{}', which the scenario does not declare{}",
                                  o.origin, o.name, did_you_mean(o.name, names)));
      continue;
    }
    it->second = o.value;
  }
  for (auto kv : root) {
    if (kv.first.IsScalar() && kv.first.Scalar() == "vars") continue;
    substitute(r, kv.second, vars, names);
  }
  values = vars;
  return r.diags().list().size() == errors_before;
}

std::vector<std::string> declared_vars(const std::string& path) {
  std::vector<std::string> names;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (root.IsMap() && root["vars"] && root["vars"].IsMap())
      for (const auto& kv : root["vars"])
        if (kv.first.IsScalar()) names.push_back(kv.first.Scalar());
  } catch (const YAML::Exception&) {
  }
  return names;
}

}  // namespace iocsim::scenario
