// SPDX-License-Identifier: GPL-2.0-only
// The `steps:` list: one operation per step, its arguments, and what the
// step expects.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "base/spelling.h"
#include "scenario/step_args_reader.h"

namespace iocsim::scenario::detail {
namespace {

const std::vector<std::string> kCommon{"name", "at", "cpu", "expect"};

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.end(), kCommon.begin(), kCommon.end());
  return keys;
}

// How to read each kind of step's arguments, found by the kind's name.
struct Parser {
  const StepKind* kind;
  void (*parse)(StepArgsReader& a, Step& step);
};

template <typename Kind>
void parse_into(StepArgsReader& a, Step& step) {
  Kind args;
  args.parse(a, step);
  step.args = std::move(args);
}

template <size_t... I>
std::vector<Parser> all_parsers(std::index_sequence<I...>) {
  return {{&std::variant_alternative_t<I, StepArgs>::kind(),
           &parse_into<std::variant_alternative_t<I, StepArgs>>}...};
}

const Parser* find_parser(const std::string& op) {
  static const std::vector<Parser> kParsers =
      all_parsers(std::make_index_sequence<std::variant_size_v<StepArgs>>());
  for (const Parser& p : kParsers)
    if (p.kind->name == op) return &p;
  return nullptr;
}

}  // namespace

std::optional<size_t> LoaderContext::principal(const YAML::Node& at, std::string_view what) const {
  auto name = r.string(at, what);
  if (!name) return std::nullopt;
  std::vector<std::string> names;
  for (size_t i = 0; i < s.principals.size(); ++i) {
    if (s.principals[i].name == *name) return i;
    names.push_back(s.principals[i].name);
  }
  r.error(at, fmt::format("unknown principal '{}'{}", *name, did_you_mean(*name, names)));
  return std::nullopt;
}

std::optional<size_t> LoaderContext::device(const YAML::Node& at) const {
  auto name = r.string(at, "device");
  if (!name) return std::nullopt;
  std::vector<std::string> names;
  for (size_t i = 0; i < s.devices.size(); ++i) {
    if (s.devices[i].name == *name) return i;
    names.push_back(s.devices[i].name);
  }
  r.error(at, fmt::format("unknown device '{}'{}", *name, did_you_mean(*name, names)));
  return std::nullopt;
}

TagId LoaderContext::tag(const std::string& label) {
  for (size_t i = 0; i < s.tags.size(); ++i)
    if (s.tags[i] == label) return static_cast<TagId>(i + 1);
  s.tags.push_back(label);
  return static_cast<TagId>(s.tags.size());
}

void LoaderContext::actor_runs_until(size_t index, const YAML::Node& until) {
  spawn_until_.emplace_back(index, until);
}

std::optional<std::string> LoaderContext::open_container(const YAML::Node& node) {
  auto name = container(node, false);
  if (name && !containers_.insert(*name).second) {
    r.error(node, fmt::format("container '{}' is opened twice", *name));
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> LoaderContext::container(const YAML::Node& node, bool must_exist) {
  auto name = r.name(node, "container name");
  if (!name) return std::nullopt;
  if (must_exist && !containers_.count(*name)) {
    r.error(node, fmt::format("container '{}' is not opened by an earlier step{}", *name,
                              did_you_mean(*name, {containers_.begin(), containers_.end()})));
    return std::nullopt;
  }
  return name;
}

std::optional<uint64_t> LoaderContext::address(const YAML::Node& node,
                                               std::string_view what) const {
  return r.size(node, what);
}

void LoaderContext::load_steps(const YAML::Node& steps) {
  if (!steps.IsSequence()) {
    r.error(steps, "steps must be a list");
    return;
  }
  size_t index = 0;
  for (const auto& node : steps) {
    if (auto step = load_step(node, index)) s.steps.push_back(std::move(*step));
    ++index;
  }
  check_spawn_limits();
}

std::optional<Step> LoaderContext::load_step(const YAML::Node& node, size_t index) {
  if (!r.expect_map(node, "a step")) return std::nullopt;
  const std::vector<std::string> known_ops = step_kind_names();

  std::optional<std::string> op;
  bool ok = true;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (std::find(kCommon.begin(), kCommon.end(), key) != kCommon.end()) continue;
    if (std::find(known_ops.begin(), known_ops.end(), key) == known_ops.end()) {
      r.error(kv.first, fmt::format("unknown step '{}'{}", key,
                                    did_you_mean(key, with_common(known_ops))));
      ok = false;
      continue;
    }
    if (op) {
      r.error(kv.first, fmt::format("a step has one operation; '{}' follows '{}'", key, *op));
      ok = false;
      continue;
    }
    op = key;
  }
  if (!ok) return std::nullopt;
  if (!op) {
    r.error(node, "a step needs an operation (alloc, touch, map, ...)");
    return std::nullopt;
  }

  Step step;
  step.index = index;
  step.op = *op;
  step.line = node.Mark().line + 1;
  const YAML::Node args = node[*op];

  // name, at, cpu and expect may sit beside the operation or inside its arguments.
  auto common = [&](const char* key) -> std::optional<YAML::Node> {
    const YAML::Node outer = node[key];
    std::optional<YAML::Node> inner;
    if (args.IsMap() && args[key]) inner = args[key];
    if (outer && inner) {
      r.error(*inner, fmt::format("'{}' is given twice for this step", key));
      return std::nullopt;
    }
    if (outer) return outer;
    return inner;
  };
  if (const auto name = common("name"))
    if (auto text = r.string(*name, "step name")) step.name = *text;
  if (const auto at = common("at"))
    if (auto time = r.duration(*at, "at")) step.at = *time;
  if (const auto cpu = common("cpu")) {
    const auto core = r.integer(*cpu, "cpu");
    const params::Set& p = s.platform.params;
    if (core && *core >= p.count("cpu.cores"))
      r.error(*cpu, fmt::format("cpu {} does not exist: the platform has {} cores (cpu.cores), "
                                "numbered from 0",
                                *core, p.count("cpu.cores")));
    else if (core)
      step.cpu = *core;
  }

  const Parser& parser = *find_parser(*op);
  const std::string what = fmt::format("step '{}'", *op);
  if (!parser.kind->scalar) {
    if (!r.expect_map(args, what)) return std::nullopt;
    r.check_keys(args, with_common(parser.kind->keys), what);
  }
  StepArgsReader reader(*this, args, what);
  parser.parse(reader, step);
  if (!reader.ok) return std::nullopt;
  if (const auto expect = common("expect")) load_step_expect(*expect, step);
  return step;
}

void LoaderContext::check_spawn_limits() {
  for (const auto& [index, node] : spawn_until_) {
    const std::string name = node.Scalar();
    bool later = false;
    std::vector<std::string> names;
    for (const Step& step : s.steps) {
      if (step.index <= index || step.name.empty()) continue;
      later = later || step.name == name;
      names.push_back(step.name);
    }
    if (!later)
      r.error(node, fmt::format("until: no later step is named '{}'{} (a time, a later step's "
                                "name, or end)",
                                name, did_you_mean(name, names)));
  }
}

}  // namespace iocsim::scenario::detail
