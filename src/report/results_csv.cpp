// SPDX-License-Identifier: GPL-2.0-only
#include "report/results_csv.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace iocsim::report {
namespace {

std::string cell_text(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  return "";
}

}  // namespace

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    std::string cell = cells[i];
    for (char& c : cell)
      if (c == '\n' || c == '\r') c = ' ';
    if (cell.find_first_of(",\"") == std::string::npos) {
      line += cell;
      continue;
    }
    line += '"';
    for (char c : cell) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line + '\n';
}

std::optional<std::vector<std::string>> parse_csv_line(std::string_view line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        cells.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && cells.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c == '"') {
      return std::nullopt;
    } else {
      cells.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return cells;
}

std::optional<ResultsTable> read_results(const std::string& path, std::string& error) {
  ResultsTable table;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return table;
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) {
    error = fmt::format("cannot read {}", path);
    return std::nullopt;
  }
  const std::string text = buffer.str();
  const size_t complete = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  if (complete < text.size()) {
    std::filesystem::resize_file(path, complete, ec);
    if (ec) {
      error = fmt::format("cannot cut the incomplete last row of {}: {}", path, ec.message());
      return std::nullopt;
    }
  }
  size_t start = 0, number = 0;
  while (start < complete) {
    const size_t end = text.find('\n', start);
    ++number;
    auto cells = parse_csv_line(std::string_view(text).substr(start, end - start));
    if (!cells) {
      error = fmt::format("{}:{}: broken quoting", path, number);
      return std::nullopt;
    }
    if (number == 1) {
      table.header = *cells;
    } else if (cells->size() != table.header.size()) {
      error = fmt::format("{}:{}: {} cells, the header has {}", path, number, cells->size(),
                          table.header.size());
      return std::nullopt;
    } else {
      table.rows.push_back(std::move(*cells));
    }
    start = end + 1;
  }
  return table;
}

bool append_line(const std::string& path, const std::string& line, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return false;
  }
  ssize_t n;
  do n = ::write(fd, line.data(), line.size());
  while (n < 0 && errno == EINTR);
  const bool ok = n == static_cast<ssize_t>(line.size());
  if (!ok)
    error = fmt::format("cannot append to {}: {}", path,
                        n < 0 ? std::strerror(errno) : "short write");
  ::close(fd);
  return ok;
}

std::string metric_value(const nlohmann::json& report, const std::string& metric) {
  if (report.contains("counts") && report["counts"].contains(metric))
    return cell_text(report["counts"][metric]);
  if (metric.rfind("stats.", 0) == 0) {
    // stats.COMPONENT.COUNTER where both may contain dots (`actor.prober`,
    // `dmar0.iotlb_misses`): the first split that names a counter.
    if (!report.contains("stats")) return "";
    const auto& stats = report["stats"];
    for (size_t dot = metric.find('.', 6); dot != std::string::npos;
         dot = metric.find('.', dot + 1)) {
      const std::string component = metric.substr(6, dot - 6), counter = metric.substr(dot + 1);
      if (stats.contains(component) && stats[component].contains(counter))
        return cell_text(stats[component][counter]);
    }
    return "";
  }
  if (metric.rfind("steps.", 0) == 0) {
    // steps.NAME.start_ns|end_ns|duration_ns of the step named NAME.
    const size_t dot = metric.rfind('.');
    const std::string name = metric.substr(6, dot - 6), field = metric.substr(dot + 1);
    if (!report.contains("steps")) return "";
    for (const auto& step : report["steps"]) {
      if (!step.contains("name") || step["name"] != name) continue;
      if (field == "duration_ns")
        return cell_text(step["end_ns"].get<double>() - step["start_ns"].get<double>());
      return step.contains(field) ? cell_text(step[field]) : "";
    }
    return "";
  }
  // Dotted paths into the report: flush.cpu_ns, flush.by_site.map.bytes, max_window_ns.
  const nlohmann::json* node = &report;
  size_t start = 0;
  while (start <= metric.size()) {
    const size_t dot = metric.find('.', start);
    const std::string key = metric.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node->is_object() || !node->contains(key)) return "";
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cell_text(*node);
}

}  // namespace iocsim::report
