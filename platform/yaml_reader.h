// SPDX-License-Identifier: GPL-2.0-only
// Reading YAML input with gcc-style diagnostics.
//
// Every problem is reported as `FILE:LINE:COL: error: MESSAGE` at the node
// that caused it; readers collect all problems instead of stopping at the
// first, and the caller decides (exit 2) once reading is over. Unknown keys
// are errors with a did-you-mean hint; so are duplicate keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/units.h"

namespace iocsim::yaml {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;

  std::string format() const;  // "FILE:LINE:COL: error: MESSAGE"
};

class Diagnostics {
 public:
  void error(std::string file, const YAML::Mark& mark, std::string message);
  bool empty() const { return list_.empty(); }
  const std::vector<Diagnostic>& list() const { return list_; }

 private:
  std::vector<Diagnostic> list_;
};

// One input file being read.
class Reader {
 public:
  Reader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(&diags) {}

  // Parses the file (or `text` standing for it); nullopt after reporting.
  std::optional<YAML::Node> load();
  std::optional<YAML::Node> load_text(const std::string& text);

  const std::string& file() const { return file_; }
  Diagnostics& diags() const { return *diags_; }
  void error(const YAML::Node& at, std::string message) const;

  // A mapping whose keys must all be in `allowed`; reports unknown and
  // duplicate keys. `what` names the mapping in messages ("step 'map'").
  bool expect_map(const YAML::Node& node, std::string_view what) const;
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  std::string_view what) const;
  // Keys must be unique; returns false (and reports) otherwise.
  bool unique_keys(const YAML::Node& map) const;

  // Scalars. Each reports its own error and returns nullopt on failure.
  std::optional<std::string> string(const YAML::Node& node, std::string_view what) const;
  std::optional<uint64_t> integer(const YAML::Node& node, std::string_view what) const;
  std::optional<uint64_t> size(const YAML::Node& node, std::string_view what) const;
  std::optional<units::Duration> duration(const YAML::Node& node, std::string_view what) const;
  std::optional<bool> boolean(const YAML::Node& node, std::string_view what) const;
  // A name made of [a-z0-9-] (and '_' and '.' if `dotted`).
  std::optional<std::string> name(const YAML::Node& node, std::string_view what,
                                  bool dotted = false) const;
  // One of `choices`, with a did-you-mean hint.
  std::optional<std::string> choice(const YAML::Node& node, std::string_view what,
                                    const std::vector<std::string>& choices) const;
  // [START, END] of two integers.
  std::optional<std::pair<uint64_t, uint64_t>> range(const YAML::Node& node,
                                                     std::string_view what) const;

 private:
  std::string file_;
  Diagnostics* diags_;
};

}  // namespace iocsim::yaml
