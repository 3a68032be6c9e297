// SPDX-License-Identifier: GPL-2.0-only
// The report for people: a summary readable in seconds (exposure by kind,
// the longest window, what flushing cost by site, expectations), details
// with verbosity > 0, and one table with policies as columns for
// `--policy all`. Rendered from the JSON report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace iocsim::report {

std::string render_text(const nlohmann::json& run, int verbosity);
std::string render_comparison(const nlohmann::json& combined, int verbosity);

// "12.3 us", "850 ns", "1.20 ms": three significant digits.
std::string format_time_ns(double ns);
// A size for a table column (at most 8 characters: "~4.02MiB", "0"); the
// JSON report keeps the exact number.
std::string format_bytes(uint64_t n);

}  // namespace iocsim::report
