// SPDX-License-Identifier: GPL-2.0-only
#include "platform/yaml_reader.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/spelling.h"

namespace iocsim::yaml {

std::string Diagnostic::format() const {
  return fmt::format("{}:{}:{}: error: {}", file, line, column, message);
}

void Diagnostics::error(std::string file, const YAML::Mark& mark, std::string message) {
  // A node with no position (e.g. missing) reports at the start of the file.
  const int line = mark.line >= 0 ? mark.line + 1 : 1;
  const int column = mark.column >= 0 ? mark.column + 1 : 1;
  list_.push_back({std::move(file), line, column, std::move(message)});
}

void Reader::error(const YAML::Node& at, std::string message) const {
  diags_->error(file_, at.Mark(), std::move(message));
}

std::optional<YAML::Node> Reader::load_text(const std::string& text) {
  // YAML has no place for NUL bytes or other control characters; yaml-cpp
  // would stop at them silently, so reject them with their position.
  int line = 0, column = 0;
  for (unsigned char c : text) {
    if (c == '\n') {
      ++line;
      column = 0;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      YAML::Mark mark;
      mark.line = line;
      mark.column = column;
      diags_->error(file_, mark, fmt::format("control character 0x{:02x}: not a YAML text file", c));
      return std::nullopt;
    }
    ++column;
  }
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) {
      diags_->error(file_, YAML::Mark{}, "the file is empty: expected a mapping");
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& e) {
    diags_->error(file_, e.mark, "YAML syntax error: " + e.msg);
  }
  return std::nullopt;
}

std::optional<YAML::Node> Reader::load() {
  // An ifstream opens a directory and reads nothing from it, which would
  // pass for an empty file.
  std::error_code ec;
  if (std::filesystem::is_directory(file_, ec)) {
    diags_->error(file_, YAML::Mark{}, "is a directory, not a YAML file");
    return std::nullopt;
  }
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    diags_->error(file_, YAML::Mark{}, "cannot read the file");
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_text(buffer.str());
}

bool Reader::expect_map(const YAML::Node& node, std::string_view what) const {
  if (node.IsMap()) return unique_keys(node);
  error(node, fmt::format("{} must be a mapping", what));
  return false;
}

bool Reader::unique_keys(const YAML::Node& map) const {
  std::set<std::string> seen;
  bool ok = true;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (!seen.insert(key).second) {
      error(kv.first, fmt::format("duplicate key '{}'", key));
      ok = false;
    }
  }
  return ok;
}

void Reader::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                        std::string_view what) const {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      error(kv.first, fmt::format("keys of {} must be plain names", what));
      continue;
    }
    const std::string& key = kv.first.Scalar();
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (!known)
      error(kv.first,
            fmt::format("unknown key '{}' in {}{}", key, what, did_you_mean(key, allowed)));
  }
}

std::optional<std::string> Reader::string(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) {
    error(node, fmt::format("{} must be a single value", what));
    return std::nullopt;
  }
  return node.Scalar();
}

template <typename T>
static std::optional<T> parsed(const Reader& r, const YAML::Node& node, std::string_view what,
                               units::Parsed<T> (*parse)(std::string_view)) {
  auto text = r.string(node, what);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) {
    r.error(node, fmt::format("{}: {}", what, value.error()));
    return std::nullopt;
  }
  return *value;
}

std::optional<uint64_t> Reader::integer(const YAML::Node& node, std::string_view what) const {
  return parsed<uint64_t>(*this, node, what, &units::parse_integer);
}

std::optional<uint64_t> Reader::size(const YAML::Node& node, std::string_view what) const {
  return parsed<uint64_t>(*this, node, what, &units::parse_size);
}

std::optional<units::Duration> Reader::duration(const YAML::Node& node,
                                                std::string_view what) const {
  return parsed<units::Duration>(*this, node, what, &units::parse_duration);
}

std::optional<bool> Reader::boolean(const YAML::Node& node, std::string_view what) const {
  auto text = string(node, what);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  error(node, fmt::format("{} must be true or false, got '{}'", what, *text));
  return std::nullopt;
}

std::optional<std::string> Reader::name(const YAML::Node& node, std::string_view what,
                                        bool dotted) const {
  auto text = string(node, what);
  if (!text) return std::nullopt;
  bool ok = !text->empty();
  for (char c : *text)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                (dotted && (c == '_' || c == '.')));
  if (!ok) {
    error(node, fmt::format("{} '{}' must consist of a-z, 0-9 and '-'{}", what, *text,
                            dotted ? ", '_' or '.'" : ""));
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> Reader::choice(const YAML::Node& node, std::string_view what,
                                          const std::vector<std::string>& choices) const {
  auto text = string(node, what);
  if (!text) return std::nullopt;
  for (const auto& c : choices)
    if (c == *text) return text;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  error(node, fmt::format("unknown {} '{}' (expected one of {}){}", what, *text, list,
                          did_you_mean(*text, choices)));
  return std::nullopt;
}

std::optional<std::pair<uint64_t, uint64_t>> Reader::range(const YAML::Node& node,
                                                           std::string_view what) const {
  if (!node.IsSequence() || node.size() != 2) {
    error(node, fmt::format("{} must be [START, END]", what));
    return std::nullopt;
  }
  auto start = integer(node[0], what);
  auto end = integer(node[1], what);
  if (!start || !end) return std::nullopt;
  if (*start > *end) {
    error(node, fmt::format("{} starts after it ends", what));
    return std::nullopt;
  }
  return std::make_pair(*start, *end);
}

}  // namespace iocsim::yaml
