// SPDX-License-Identifier: GPL-2.0-only
// `results.csv` of a sweep: one row per finished point (RFC 4180 quoting).
// Rows are appended with one write(2) each on a file opened O_APPEND, so
// concurrent or interrupted writers never interleave rows; a row cut short by
// a crash has no newline and is dropped (the file truncated to the last
// complete row) when the file is read again.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace iocsim::report {

struct ResultsTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// One line, newline included. Newlines inside cells become spaces.
std::string csv_line(const std::vector<std::string>& cells);
// The cells of one line (without its newline); nullopt if the quoting is broken.
std::optional<std::vector<std::string>> parse_csv_line(std::string_view line);

// Reads `path`; a missing file is an empty table. A last line without its
// newline is cut off the file. nullopt (and `error`) if a complete line does
// not parse or has the wrong number of cells.
std::optional<ResultsTable> read_results(const std::string& path, std::string& error);

// Appends `line` with a single write; false (and `error`) on failure.
bool append_line(const std::string& path, const std::string& line, std::string& error);

// A metric of a run's JSON report: a counter (`leaks`), a flush key
// (`flush.cpu_ns`, `flush.by_site.map.bytes`), `max_window_ns`,
// `sim_time_ns`, `stats.COMPONENT.COUNTER` (both may contain dots), or
// `steps.NAME.start_ns|end_ns|duration_ns` of the step named NAME.
// Empty if the report has no such value.
std::string metric_value(const nlohmann::json& report, const std::string& metric);

}  // namespace iocsim::report
