// SPDX-License-Identifier: GPL-2.0-only
// JUnit XML of `iocsim check`: counts per suite, and text that comes back as
// written when the XML is read again.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include <pugixml.hpp>

#include "report/junit_report.h"

using iocsim::report::CheckCase;

namespace {

pugi::xml_document parsed(const std::vector<CheckCase>& cases) {
  std::ostringstream out;
  iocsim::report::write_junit(cases, out);
  pugi::xml_document doc;
  const pugi::xml_parse_result result = doc.load_string(out.str().c_str());
  INFO(out.str());
  REQUIRE(result);
  return doc;
}

}  // namespace

TEST_CASE("cases group by file with failures and errors counted") {
  const std::vector<CheckCase> cases{
      {"a.yaml", "none", CheckCase::Status::passed, "", "", 0.5},
      {"a.yaml", "posted-v1", CheckCase::Status::failed, "leaks == 0, got 3", "report", 0.25},
      {"b.yaml", "", CheckCase::Status::bad_input, "b.yaml:1:1: error: x", "", 0}};
  const pugi::xml_document doc = parsed(cases);
  const pugi::xml_node all = doc.child("testsuites");
  CHECK(std::string(all.attribute("name").value()) == "iocsim check");
  CHECK(all.attribute("tests").as_int() == 3);
  CHECK(all.attribute("failures").as_int() == 1);
  CHECK(all.attribute("errors").as_int() == 1);
  CHECK(std::string(all.attribute("time").value()) == "0.750");
  const pugi::xml_node a = all.find_child_by_attribute("testsuite", "name", "a.yaml");
  CHECK(a.attribute("tests").as_int() == 2);
  CHECK(a.attribute("failures").as_int() == 1);
  CHECK(a.attribute("errors").as_int() == 0);
  const pugi::xml_node passed = a.find_child_by_attribute("testcase", "name", "none");
  CHECK(std::string(passed.attribute("classname").value()) == "a.yaml");
  CHECK(std::string(passed.attribute("time").value()) == "0.500");
  CHECK_FALSE(passed.first_child());
  const pugi::xml_node failure =
      a.find_child_by_attribute("testcase", "name", "posted-v1").child("failure");
  CHECK(std::string(failure.attribute("type").value()) == "expectation");
  CHECK(std::string(failure.attribute("message").value()) == "leaks == 0, got 3");
  CHECK(std::string(failure.text().get()) == "report");
  const pugi::xml_node load = all.find_child_by_attribute("testsuite", "name", "b.yaml")
                                  .find_child_by_attribute("testcase", "name", "load");
  CHECK(std::string(load.child("error").attribute("type").value()) == "bad input");
}

TEST_CASE("markup comes back as written, control characters XML cannot carry as '?'") {
  const std::vector<CheckCase> cases{{"x<&>\"'.yaml", "none", CheckCase::Status::internal_error,
                                      "a'b\x01", "line1\nline2\t<&>", 0}};
  const pugi::xml_document doc = parsed(cases);
  const pugi::xml_node suite = doc.child("testsuites").child("testsuite");
  CHECK(std::string(suite.attribute("name").value()) == "x<&>\"'.yaml");
  const pugi::xml_node error = suite.child("testcase").child("error");
  CHECK(std::string(error.attribute("type").value()) == "internal error");
  CHECK(std::string(error.attribute("message").value()) == "a'b?");
  CHECK(std::string(error.text().get()) == "line1\nline2\t<&>");
}
