// SPDX-License-Identifier: GPL-2.0-only
// Named, typed, self-documenting model parameters.
//
// Each model declares the parameters it reads (name, kind, one-line meaning,
// default and where the default comes from) next to its configuration
// struct; a platform collects the declarations in a Catalog, fills a Set with
// the defaults, then a preset's and the user's values, and hands each model
// its typed configuration. A preset states only what differs from the
// defaults, with its own sources.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"

namespace iocsim::params {

enum class Kind { size, duration, frequency, count, choice, flag };

struct Spec {
  std::string name;     // dotted, e.g. "llc.size"
  Kind kind = Kind::count;
  std::string meaning;  // one line for `iocsim params`
  std::vector<std::string> choices;  // Kind::choice only
  uint64_t min = 0;                  // numeric kinds: inclusive bounds in base units
  uint64_t max = UINT64_MAX;         // (bytes, ps, Hz, count)
  std::string default_text;          // the default, as a preset would write it
  std::string source;                // where the default comes from, or its derivation

  static Spec size(std::string name, std::string meaning, uint64_t min = 0,
                   uint64_t max = UINT64_MAX);
  static Spec duration(std::string name, std::string meaning, uint64_t min_ps = 0);
  static Spec frequency(std::string name, std::string meaning);
  static Spec count(std::string name, std::string meaning, uint64_t min = 0,
                    uint64_t max = UINT64_MAX);
  static Spec choice(std::string name, std::string meaning, std::vector<std::string> choices);
  static Spec flag(std::string name, std::string meaning);
  // The default and its source (required: Catalog::declare checks it parses).
  Spec by_default(std::string value, std::string from) &&;
};

// "bytes", "time", ... as printed in the catalogue.
std::string unit_label(const Spec& spec);

struct Value {
  uint64_t number = 0;          // size, frequency, count
  units::Duration duration;     // duration
  std::string choice;           // choice
  bool flag = false;            // flag
  std::string text;             // as written
};

units::Parsed<Value> parse_value(const Spec& spec, std::string_view text);

class Catalog {
 public:
  void declare(Spec spec);
  const Spec* find(std::string_view name) const;
  std::vector<std::string> names() const;
  const std::map<std::string, Spec, std::less<>>& specs() const { return specs_; }

 private:
  std::map<std::string, Spec, std::less<>> specs_;
};

// Parameter values for one platform instance, every one starting at its
// default. Durations written in cycles are converted with the frequency
// parameter named at construction.
class Set {
 public:
  Set(const Catalog& catalog, std::string clock_param);

  // Sets `name` from user text; returns the error message on failure.
  std::optional<std::string> set(std::string_view name, std::string_view text);
  const Catalog& catalog() const { return *catalog_; }

  uint64_t size(std::string_view name) const;
  uint64_t count(std::string_view name) const;
  uint64_t frequency(std::string_view name) const;
  uint64_t picos(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  bool flag(std::string_view name) const;
  const std::string& text(std::string_view name) const;

 private:
  const Value& get(std::string_view name, Kind kind) const;

  const Catalog* catalog_;
  std::string clock_param_;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace iocsim::params
