// SPDX-License-Identifier: GPL-2.0-only
// JUnit XML of `iocsim check`: counts per suite and escaping.
#include <catch2/catch.hpp>

#include <sstream>

#include "report/junit_report.h"

using iocsim::report::CheckCase;

TEST_CASE("cases group by file with failures and errors counted") {
  const std::vector<CheckCase> cases{
      {"a.yaml", "none", CheckCase::Status::passed, "", "", 0.5},
      {"a.yaml", "posted-v1", CheckCase::Status::failed, "leaks == 0, got 3", "report", 0.25},
      {"b.yaml", "", CheckCase::Status::bad_input, "b.yaml:1:1: error: x", "", 0}};
  std::ostringstream out;
  iocsim::report::write_junit(cases, out);
  const std::string xml = out.str();
  CHECK(xml.find("<testsuites name=\"iocsim check\" tests=\"3\" failures=\"1\" errors=\"1\" "
                 "time=\"0.750\">") != std::string::npos);
  CHECK(xml.find("<testsuite name=\"a.yaml\" tests=\"2\" failures=\"1\" errors=\"0\"") !=
        std::string::npos);
  CHECK(xml.find("<testcase classname=\"a.yaml\" name=\"none\" time=\"0.500\"/>") !=
        std::string::npos);
  CHECK(xml.find("<failure type=\"expectation\" message=\"leaks == 0, got 3\">report</failure>") !=
        std::string::npos);
  CHECK(xml.find("<testcase classname=\"b.yaml\" name=\"load\"") != std::string::npos);
  CHECK(xml.find("<error type=\"bad input\"") != std::string::npos);
}

TEST_CASE("markup and control characters in messages are escaped") {
  const std::vector<CheckCase> cases{{"x<&>\".yaml", "none", CheckCase::Status::internal_error,
                                      "a'b\x01", "line1\nline2", 0}};
  std::ostringstream out;
  iocsim::report::write_junit(cases, out);
  const std::string xml = out.str();
  CHECK(xml.find("name=\"x&lt;&amp;&gt;&quot;.yaml\"") != std::string::npos);
  CHECK(xml.find("message=\"a&apos;b?\">line1&#10;line2</error>") != std::string::npos);
}
