// SPDX-License-Identifier: GPL-2.0-only
// The report carries every field of docs/format.md 5, with the right types,
// and the text rendering says what the JSON says.
#include <iterator>
#include <sstream>

#include <catch2/catch.hpp>

#include "report/json_report.h"
#include "report/text_report.h"
#include "scenario/loader.h"

using namespace iocsim;
using nlohmann::json;

namespace {

void has(const json& j, const char* key, json::value_t type) {
  INFO("key " << key);
  REQUIRE(j.contains(key));
  if (type == json::value_t::number_float)
    CHECK(j[key].is_number());
  else if (type == json::value_t::number_unsigned)
    CHECK(j[key].is_number_integer());
  else
    CHECK(j[key].type() == type);
}

// Run once per process (one simulation per process), kept for every test.
json seed_report() {
  static const json report = [] {
    yaml::Diagnostics diags;
    auto s = scenario::load_scenario(
        std::string(IOCSIM_SOURCE_DIR) + "/scenarios/seed/leak-on-noncoherent-map.yaml", {}, diags);
    REQUIRE(s);
    static scenario::Scenario keep;  // the result points into it
    keep = *s;
    return report::to_json(scenario::run_scenario(keep, {"none", std::nullopt, 1}));
  }();
  return report;
}

}  // namespace

TEST_CASE("the JSON report has every field of docs/format.md 5") {
  using T = json::value_t;
  const json r = seed_report();
  has(r, "iocsim_version", T::string);
  has(r, "scenario", T::string);
  has(r, "policy", T::string);
  has(r, "kernel_base", T::string);
  has(r, "platform", T::object);
  has(r["platform"], "preset", T::string);
  has(r["platform"], "overrides", T::object);
  has(r["platform"], "device_overrides", T::object);
  has(r, "seed", T::number_unsigned);
  has(r, "sim_time_ns", T::number_float);
  has(r, "counts", T::object);
  for (const char* k : {"leaks", "stale_device_reads", "stale_cpu_reads", "lost_writes",
                        "stale_iotlb_accesses", "iommu_faults", "kernel_warnings"})
    has(r["counts"], k, T::number_unsigned);
  has(r, "windows", T::array);
  REQUIRE_FALSE(r["windows"].empty());
  for (const char* k : {"kind", "pa", "iova", "device", "owner"})
    has(r["windows"][0], k, T::string);
  for (const char* k : {"start_ns", "end_ns", "duration_ns"})
    has(r["windows"][0], k, T::number_float);
  has(r["windows"][0], "realized", T::boolean);
  has(r, "max_window_ns", T::number_float);
  has(r, "flush", T::object);
  for (const char* k : {"calls", "bytes", "lines", "lines_written_back"})
    has(r["flush"], k, T::number_unsigned);
  has(r["flush"], "cpu_ns", T::number_float);
  has(r["flush"], "by_site", T::object);
  for (const char* site : {"map", "unpin", "replay", "fgsp"}) {
    has(r["flush"]["by_site"], site, T::object);
    for (const char* k : {"calls", "bytes", "lines"})
      has(r["flush"]["by_site"][site], k, T::number_unsigned);
    has(r["flush"]["by_site"][site], "cpu_ns", T::number_float);
  }
  has(r, "steps", T::array);
  const json& step = r["steps"][8];
  for (const char* k : {"index", "cpu_cycles"}) has(step, k, T::number_unsigned);
  for (const char* k : {"op", "result"}) has(step, k, T::string);
  for (const char* k : {"start_ns", "end_ns"}) has(step, k, T::number_float);
  CHECK(step["name"].is_null());
  CHECK(step["errno"].is_null());
  CHECK(step["op"] == "unmap");
  CHECK(step["values"]["unmapped"] == 2u << 20);
  has(r, "expectations", T::array);
  for (const auto& e : r["expectations"]) {
    has(e, "what", T::string);
    has(e, "actual", T::string);
    has(e, "passed", T::boolean);
    CHECK((e["step"].is_null() || e["step"].is_number_integer()));
  }
  has(r, "invariants", T::array);
  has(r["invariants"][0], "name", T::string);
  has(r["invariants"][0], "held", T::boolean);
  has(r, "stats", T::object);
  for (const char* k : {"cache", "dram", "iommu", "dma"}) has(r["stats"], k, T::object);

  CHECK(r["counts"]["leaks"] == 32768);
  CHECK(r["windows"][0]["pa"].get<std::string>().rfind("0x", 0) == 0);

  const std::string text = report::render_text(r, 0);
  CHECK(text.find("leaks (lines)                        32768") != std::string::npos);
  CHECK(text.find("longest: 418 us, leak of vm-a's data to gpu0") != std::string::npos);
  CHECK(text.find("Expectations: 11 of 11 passed") != std::string::npos);
}

TEST_CASE("running all policies puts them side by side, policies as columns") {
  json by_site = json::object();
  for (const char* site : {"map", "unpin", "replay", "fgsp"})
    by_site[site] = {{"calls", 0}, {"bytes", 0}, {"lines", 0}, {"lines_written_back", 0},
                     {"cpu_ns", 0.0}};
  auto run = [&](const char* policy, uint64_t leaks, const char* backend = "type1") {
    return json{{"scenario", "s"},
                {"summary", ""},
                {"policy", policy},
                {"backend", backend},
                {"kernel_base", "v6.9"},
                {"platform", {{"preset", "default"}, {"overrides", json::object()}}},
                {"counts",
                 {{"leaks", leaks}, {"disclosures", leaks}, {"stale_device_reads", leaks},
                  {"stale_cpu_reads", 0},
                  {"lost_writes", 0}, {"stale_iotlb_accesses", 0}, {"iommu_faults", 0},
                  {"kernel_warnings", 0}}},
                {"windows", json::array()},
                {"max_window_ns", 0.0},
                {"flush",
                 {{"calls", 0}, {"bytes", 0}, {"lines", 0}, {"lines_written_back", 0},
                  {"cpu_ns", 0.0}, {"by_site", by_site}}},
                {"steps", json::array()},
                {"expectations", json::array()},
                {"invariants", json::array()},
                {"kernel_log", json::array()},
                {"sim_time_ns", 10.0},
                {"passed", true}};
  };
  const json combined = report::combine({run("none", 7), run("posted-v1", 0)});
  CHECK(combined["runs"].size() == 2);
  CHECK(combined["comparison"]["policies"] == json::array({"none", "posted-v1"}));
  CHECK(combined["comparison"]["metrics"]["leaks"]["none"] == 7);
  CHECK(combined["comparison"]["metrics"]["leaks"]["posted-v1"] == 0);
  const std::string table = report::render_comparison(combined, 0);
  CHECK(table.find("none     posted-v1") != std::string::npos);
  // The leaks row: the label, then one column per policy.
  const auto row = table.substr(table.find("\nleaks ") + 1);
  std::istringstream cells(row.substr(0, row.find('\n')));
  std::vector<std::string> tokens{std::istream_iterator<std::string>(cells), {}};
  CHECK(tokens == std::vector<std::string>{"leaks", "(lines)", "7", "0"});
  // No windows in either run, and no site flushed: neither gets rows.
  CHECK(table.find("\nexposure windows          ") != std::string::npos);
  CHECK(table.find(" at map") == std::string::npos);
  CHECK(table.find("\nbackend ") == std::string::npos);

  // --backend all: runs named POLICY/BACKEND, and a row of backends under the policies.
  const json both = report::combine({run("none", 7), run("none", 5, "iommufd")});
  CHECK(both["comparison"]["policies"] == json::array({"none/type1", "none/iommufd"}));
  CHECK(both["comparison"]["metrics"]["leaks"]["none/iommufd"] == 5);
  const std::string sides = report::render_comparison(both, 0);
  const auto backends = sides.substr(sides.find("\nbackend ") + 1);
  std::istringstream names(backends.substr(0, backends.find('\n')));
  CHECK(std::vector<std::string>{std::istream_iterator<std::string>(names), {}} ==
        std::vector<std::string>{"backend", "type1", "iommufd"});
  CHECK(sides.find("s -- kernel v6.9") == 0);  // no single backend in the header
}

TEST_CASE("times print with three significant digits") {
  CHECK(report::format_time_ns(0) == "0 ns");
  CHECK(report::format_time_ns(850) == "850 ns");
  CHECK(report::format_time_ns(12'345) == "12.3 us");
  CHECK(report::format_time_ns(1'200'000) == "1.20 ms");
  CHECK(report::format_time_ns(2.5e9) == "2.50 s");
}

TEST_CASE("a flush table's sizes stay in their column: exact when short, else three digits") {
  json r = seed_report();
  const json map_site{{"calls", 1}, {"bytes", uint64_t{1} << 40}, {"lines", 64},
                      {"lines_written_back", 64}, {"cpu_ns", 1000.0}};
  const json fgsp_site{{"calls", 2}, {"bytes", 16384}, {"lines", 256},
                       {"lines_written_back", 0}, {"cpu_ns", 10.0}};
  r["flush"] = {{"calls", 3}, {"bytes", (uint64_t{1} << 40) + 16384}, {"lines", 320},
                {"lines_written_back", 64}, {"cpu_ns", 1010.0},
                {"by_site", {{"map", map_site}, {"fgsp", fgsp_site}}}};
  std::istringstream text(report::render_text(r, 0));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(text, line);) {
    std::istringstream cells(line);
    std::vector<std::string> tokens{std::istream_iterator<std::string>(cells), {}};
    if (!tokens.empty() && (tokens[0] == "map" || tokens[0] == "fgsp" || tokens[0] == "total"))
      rows.push_back(tokens);
  }
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][2] == "16KiB");  // fgsp (sites in name order)
  CHECK(rows[1][2] == "1TiB");
  CHECK(rows[2][1] == "3");  // not run together with the size
  CHECK(rows[2][2] == "~1TiB");
}
