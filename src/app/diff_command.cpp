// SPDX-License-Identifier: GPL-2.0-only
// `iocsim diff A.json B.json`: what differs between two JSON reports
// (report/report_diff.h). Exits 0 when they agree, 1 when something
// differs (as diff(1) does), 2 when a file is not a readable report.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "report/report_diff.h"

namespace iocsim::app {
namespace {

// Line and column (1-based) of byte `offset` of `text`.
std::pair<size_t, size_t> position(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// The report in `file`, or nullopt after saying on stderr why it is none.
std::optional<nlohmann::json> load_report(const std::string& file) {
  auto error = [&](size_t line, size_t column, const std::string& message) {
    std::cerr << fmt::format("{}:{}:{}: error: {}\n", file, line, column, message);
    return std::nullopt;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return error(1, 1, "is a directory, not a JSON report");
  std::ifstream in(file, std::ios::binary);
  if (!in) return error(1, 1, "cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte the parser stopped at.
    const auto [line, column] = position(text, e.byte ? e.byte - 1 : 0);
    std::string message = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: X" -> X
    if (const size_t colon = message.find(": "); colon != std::string::npos)
      message = message.substr(colon + 2);
    return error(line, column, "not JSON: " + message);
  }
  try {
    report::check_report(report);
  } catch (const report::NotAReport& e) {
    return error(1, 1, fmt::format("not an iocsim report: {}", e.what()));
  }
  return report;
}

}  // namespace

int diff_command(const DiffArgs& args) {
  const std::optional<nlohmann::json> a = load_report(args.a);
  const std::optional<nlohmann::json> b = load_report(args.b);
  if (!a || !b) return kExitBadInput;
  const report::ReportDiff diff = report::diff_reports(*a, *b, args.a, args.b, args.every_row);
  std::cout << diff.text;
  return diff.differs ? kExitFailed : kExitOk;
}

}  // namespace iocsim::app
