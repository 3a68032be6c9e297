// SPDX-License-Identifier: GPL-2.0-only
// `iocsim diff`: which inputs and values differ, how runs pair up, and what
// is not a report.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "report/report_diff.h"

using nlohmann::json;
using iocsim::report::check_report;
using iocsim::report::diff_reports;
using iocsim::report::NotAReport;

namespace {

json run(const std::string& policy, uint64_t leaks, const std::string& llc_size = "12MiB") {
  json by_site = json::object();
  for (const char* site : {"map", "unpin"})
    by_site[site] = {{"calls", 0}, {"bytes", 0}, {"lines", 0}, {"lines_written_back", 0},
                     {"cpu_ns", 0.0}};
  return {{"scenario", "s"},
          {"policy", policy},
          {"kernel_base", "v6.9"},
          {"seed", 1},
          {"platform", {{"preset", "default"}, {"params", {{"llc.size", llc_size}}}}},
          {"counts", {{"leaks", leaks}, {"iommu_faults", 0}}},
          {"windows",
           leaks ? json::array({{{"kind", "leak"}, {"start_ns", 10.0}, {"duration_ns", 90.0},
                                 {"realized", true}, {"first_hit_ns", 30.0}}})
                 : json::array()},
          {"max_window_ns", leaks ? 90.0 : 0.0},
          {"flush",
           {{"calls", 0}, {"bytes", 0}, {"lines", 0}, {"lines_written_back", 0},
            {"cpu_ns", 0.0}, {"by_site", by_site}}},
          {"sim_time_ns", 1000.0},
          {"expectations", json::array({{{"passed", leaks == 0}}})},
          {"invariants", json::array({{{"held", true}}})}};
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("two runs that agree differ in nothing") {
  const auto d = diff_reports(run("none", 3), run("none", 3), "a", "b", false);
  CHECK_FALSE(d.differs);
  CHECK(d.text.find("The reports agree on every input and on all") != std::string::npos);
}

TEST_CASE("values that differ are listed with their change, those that agree only with every_row") {
  const auto d = diff_reports(run("none", 4), run("posted-v1", 0), "a", "b", false);
  INFO(d.text);
  CHECK(d.differs);
  CHECK(has_line(d.text, "  policy            none  posted-v1"));
  CHECK(has_line(d.text, "leaks                      4     0  -4 (-100.0%)"));
  CHECK(has_line(d.text, "leak windows               1     0  -1 (-100.0%)"));
  CHECK(has_line(d.text, "  longest            90.0 ns  0 ns  -90.0 ns (-100.0%)"));
  CHECK(has_line(d.text, "expectations failed        1     0  -1 (-100.0%)"));
  CHECK(d.text.find("iommu_faults") == std::string::npos);
  const auto every = diff_reports(run("none", 4), run("posted-v1", 0), "a", "b", true);
  CHECK(every.text.find("iommu_faults") != std::string::npos);
}

TEST_CASE("a counter one report lacks is a difference shown as '-'") {
  json older = run("none", 0);
  older["counts"].erase("iommu_faults");
  const auto d = diff_reports(older, run("none", 0), "old", "new", false);
  INFO(d.text);
  CHECK(d.differs);
  CHECK(has_line(d.text, "iommu_faults  -  0"));
}

TEST_CASE("resolved parameters that differ are inputs that differ") {
  const auto d = diff_reports(run("none", 0), run("none", 0, "24MiB"), "a", "b", false);
  INFO(d.text);
  CHECK(d.differs);
  CHECK(has_line(d.text, "  llc.size          12MiB  24MiB"));
  CHECK(d.text.find("0 of ") != std::string::npos);
}

TEST_CASE("reports of every policy pair up by policy, and a policy in one only is said") {
  const json a{{"runs", {run("none", 4), run("posted-v1", 0)}}};
  const json b{{"runs", {run("posted-v1", 0), run("wbinvd", 0)}}};
  const auto d = diff_reports(a, b, "a", "b", false);
  INFO(d.text);
  CHECK(d.differs);
  CHECK(d.text.find("--- policy posted-v1 ---") != std::string::npos);
  CHECK(d.text.find("--- policy none ---") == std::string::npos);
  CHECK(has_line(d.text, "policy none is only in a"));
  CHECK(has_line(d.text, "policy wbinvd is only in b"));
}

TEST_CASE("a document without a report's fields is not a report, and says which field") {
  CHECK_NOTHROW(check_report(run("none", 1)));
  CHECK_NOTHROW(check_report(json{{"runs", {run("none", 1)}}}));
  json no_counts = run("none", 1);
  no_counts.erase("counts");
  CHECK_THROWS_WITH(check_report(no_counts), "it has no \"counts\"");
  json no_platform = run("none", 1);
  no_platform.erase("platform");
  CHECK_THROWS_WITH(check_report(no_platform), "it has no \"platform\"");
  json text_leaks = run("none", 1);
  text_leaks["counts"]["leaks"] = "many";
  CHECK_THROWS_WITH(check_report(text_leaks), "\"counts.leaks\" is not a number");
  json bad_window = run("none", 1);
  bad_window["windows"][0].erase("first_hit_ns");
  CHECK_THROWS_WITH(check_report(json{{"runs", {run("none", 0), bad_window}}}),
                    "it has no \"runs[1].windows[0].first_hit_ns\"");
  CHECK_THROWS_AS(check_report(json::array()), NotAReport);
  CHECK_THROWS_WITH(check_report(json{{"runs", json::array()}}),
                    "\"runs\" is not an array of reports");
}
