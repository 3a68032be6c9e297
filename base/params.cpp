// SPDX-License-Identifier: GPL-2.0-only
#include "base/params.h"

#include <stdexcept>

#include <fmt/format.h>

#include "base/spelling.h"

namespace iocsim::params {
namespace {

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::optional<std::string> check_bounds(const Spec& spec, uint64_t base, std::string_view text) {
  if (base < spec.min || base > spec.max)
    return fmt::format("'{}' is out of range for {}", text, spec.name);
  return std::nullopt;
}

}  // namespace

Spec Spec::size(std::string name, std::string meaning, uint64_t min, uint64_t max) {
  return {std::move(name), Kind::size, std::move(meaning), {}, min, max};
}
Spec Spec::duration(std::string name, std::string meaning, uint64_t min_ps) {
  return {std::move(name), Kind::duration, std::move(meaning), {}, min_ps, UINT64_MAX};
}
Spec Spec::frequency(std::string name, std::string meaning) {
  return {std::move(name), Kind::frequency, std::move(meaning), {}, 1, UINT64_MAX};
}
Spec Spec::count(std::string name, std::string meaning, uint64_t min, uint64_t max) {
  return {std::move(name), Kind::count, std::move(meaning), {}, min, max};
}
Spec Spec::choice(std::string name, std::string meaning, std::vector<std::string> choices) {
  return {std::move(name), Kind::choice, std::move(meaning), std::move(choices), 0, UINT64_MAX};
}
Spec Spec::flag(std::string name, std::string meaning) {
  return {std::move(name), Kind::flag, std::move(meaning), {}, 0, UINT64_MAX};
}

Spec Spec::by_default(std::string value, std::string from) && {
  default_text = std::move(value);
  source = std::move(from);
  return std::move(*this);
}

std::string unit_label(const Spec& spec) {
  switch (spec.kind) {
    case Kind::size: return "bytes";
    case Kind::duration: return "time";
    case Kind::frequency: return "Hz";
    case Kind::count: return "count";
    case Kind::choice: return join(spec.choices, "|");
    case Kind::flag: return "bool";
  }
  return "";
}

units::Parsed<Value> parse_value(const Spec& spec, std::string_view text) {
  using Result = units::Parsed<Value>;
  Value v;
  v.text = std::string(text);
  auto fail = [&](const std::string& why) {
    return Result::failure(fmt::format("bad value for {}: {}", spec.name, why));
  };
  switch (spec.kind) {
    case Kind::size: {
      auto bytes = units::parse_size(text);
      if (!bytes) return fail(bytes.error());
      v.number = *bytes;
      if (auto e = check_bounds(spec, v.number, text)) return Result::failure(*e);
      break;
    }
    case Kind::duration: {
      auto d = units::parse_duration(text);
      if (!d) return fail(d.error());
      v.duration = *d;
      if (!d->in_cycles)
        if (auto e = check_bounds(spec, d->amount, text)) return Result::failure(*e);
      break;
    }
    case Kind::frequency: {
      auto hz = units::parse_frequency(text);
      if (!hz) return fail(hz.error());
      v.number = *hz;
      if (auto e = check_bounds(spec, v.number, text)) return Result::failure(*e);
      break;
    }
    case Kind::count: {
      auto n = units::parse_integer(text);
      if (!n) return fail(n.error());
      v.number = *n;
      if (auto e = check_bounds(spec, v.number, text)) return Result::failure(*e);
      break;
    }
    case Kind::choice: {
      for (const auto& c : spec.choices) {
        if (c == text) {
          v.choice = c;
          return v;
        }
      }
      return fail(fmt::format("'{}' is not one of {}{}", text, join(spec.choices, ", "),
                              did_you_mean(text, spec.choices)));
    }
    case Kind::flag: {
      if (text == "true") v.flag = true;
      else if (text == "false") v.flag = false;
      else return fail(fmt::format("expected true or false, got '{}'", text));
      break;
    }
  }
  return v;
}

void Catalog::declare(Spec spec) {
  if (specs_.count(spec.name))
    throw std::logic_error("parameter declared twice: " + spec.name);
  if (spec.default_text.empty() || spec.source.empty())
    throw std::logic_error("parameter declared without a default and its source: " + spec.name);
  if (auto value = parse_value(spec, spec.default_text); !value)
    throw std::logic_error("the default of " + spec.name + " does not parse: " + value.error());
  std::string name = spec.name;
  specs_.emplace(std::move(name), std::move(spec));
}

const Spec* Catalog::find(std::string_view name) const {
  auto it = specs_.find(name);
  return it == specs_.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalog::names() const {
  std::vector<std::string> out;
  out.reserve(specs_.size());
  for (const auto& [name, spec] : specs_) out.push_back(name);
  return out;
}

Set::Set(const Catalog& catalog, std::string clock_param)
    : catalog_(&catalog), clock_param_(std::move(clock_param)) {
  for (const auto& [name, spec] : catalog.specs())
    values_.emplace(name, *parse_value(spec, spec.default_text));
}

std::optional<std::string> Set::set(std::string_view name, std::string_view text) {
  const Spec* spec = catalog_->find(name);
  if (!spec)
    return fmt::format("unknown parameter '{}'{}", name, did_you_mean(name, catalog_->names()));
  auto value = parse_value(*spec, text);
  if (!value) return value.error();
  values_.insert_or_assign(std::string(name), *value);
  return std::nullopt;
}

const Value& Set::get(std::string_view name, Kind kind) const {
  const Spec* spec = catalog_->find(name);
  if (!spec || spec->kind != kind)
    throw std::logic_error(fmt::format("parameter {} read with the wrong kind", name));
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(fmt::format("parameter {} has no value", name));
  return it->second;
}

uint64_t Set::size(std::string_view name) const { return get(name, Kind::size).number; }
uint64_t Set::count(std::string_view name) const { return get(name, Kind::count).number; }
uint64_t Set::frequency(std::string_view name) const {
  return get(name, Kind::frequency).number;
}
uint64_t Set::picos(std::string_view name) const {
  const Value& v = get(name, Kind::duration);
  return v.duration.in_cycles ? units::to_picos(v.duration, frequency(clock_param_))
                              : v.duration.amount;
}
const std::string& Set::choice(std::string_view name) const {
  return get(name, Kind::choice).choice;
}
bool Set::flag(std::string_view name) const { return get(name, Kind::flag).flag; }

const std::string& Set::text(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(fmt::format("parameter {} has no value", name));
  return it->second.text;
}

}  // namespace iocsim::params
