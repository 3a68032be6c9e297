// SPDX-License-Identifier: GPL-2.0-only
// results.csv of a sweep: quoting round trips, a row cut short is dropped,
// metrics are found in a report.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "report/results_csv.h"

using namespace iocsim::report;

namespace {

std::string temp_path() { return "/tmp/iocsim-results-" + std::to_string(::getpid()) + ".csv"; }

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("cells with commas, quotes and newlines round trip") {
  const std::vector<std::string> cells{"plain", "a,b", "say \"hi\"", "", "two\nlines"};
  const std::string line = csv_line(cells);
  CHECK(line == "plain,\"a,b\",\"say \"\"hi\"\"\",,two lines\n");
  auto back = parse_csv_line(line.substr(0, line.size() - 1));
  REQUIRE(back);
  CHECK(*back == std::vector<std::string>{"plain", "a,b", "say \"hi\"", "", "two lines"});
  CHECK_FALSE(parse_csv_line("\"unterminated"));
  CHECK_FALSE(parse_csv_line("a\"b"));
}

TEST_CASE("appended rows read back, and a row cut short is cut off the file") {
  const std::string path = temp_path();
  std::remove(path.c_str());
  std::string error;
  REQUIRE(append_line(path, csv_line({"point", "leaks"}), error));
  REQUIRE(append_line(path, csv_line({"0", "12"}), error));
  REQUIRE(append_line(path, csv_line({"1", "0"}), error));
  {
    std::ofstream out(path, std::ios::app);
    out << "2,4";  // the write a kill interrupted
  }
  auto table = read_results(path, error);
  REQUIRE(table);
  CHECK(table->header == std::vector<std::string>{"point", "leaks"});
  CHECK(table->rows.size() == 2);
  CHECK(contents(path) == "point,leaks\n0,12\n1,0\n");

  std::ofstream(path, std::ios::app) << "3,4,5\n";
  CHECK_FALSE(read_results(path, error));
  CHECK(error.find(":4: 3 cells, the header has 2") != std::string::npos);
  std::remove(path.c_str());
  auto missing = read_results(path, error);
  REQUIRE(missing);
  CHECK(missing->header.empty());
}

TEST_CASE("metrics are counters, dotted report paths, statistics or step times") {
  const auto report = nlohmann::json::parse(R"({
    "counts": {"leaks": 7},
    "max_window_ns": 1500.5,
    "flush": {"cpu_ns": 12, "by_site": {"map": {"bytes": 4096}}},
    "stats": {"actor.prober": {"requests": 99}, "dram": {"reads": 3},
              "iommu": {"dmar0.iotlb_misses": 5}},
    "steps": [{"name": "", "start_ns": 0.0, "end_ns": 1.0},
              {"name": "burst", "start_ns": 100.0, "end_ns": 350.5}]
  })");
  CHECK(metric_value(report, "stats.iommu.dmar0.iotlb_misses") == "5");
  CHECK(metric_value(report, "steps.burst.duration_ns") == "250.5");
  CHECK(metric_value(report, "steps.burst.end_ns") == "350.5");
  CHECK(metric_value(report, "steps.nothing.end_ns") == "");
  CHECK(metric_value(report, "leaks") == "7");
  CHECK(metric_value(report, "max_window_ns") == "1500.5");
  CHECK(metric_value(report, "flush.cpu_ns") == "12");
  CHECK(metric_value(report, "flush.by_site.map.bytes") == "4096");
  CHECK(metric_value(report, "stats.actor.prober.requests") == "99");
  CHECK(metric_value(report, "stats.dram.reads") == "3");
  CHECK(metric_value(report, "stats.dram.writes") == "");
  CHECK(metric_value(report, "flush.by_site.unpin.bytes") == "");
}
