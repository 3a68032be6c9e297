// SPDX-License-Identifier: GPL-2.0-only
#include "report/junit_report.h"

#include <map>

#include <fmt/format.h>
#include <pugixml.hpp>

namespace iocsim::report {
namespace {

// pugixml escapes markup; characters XML 1.0 cannot carry at all (control
// characters other than tab, newline and carriage return) it would write as
// character references a reader rejects, so they become '?' first.
std::string xml_text(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') c = '?';
  return out;
}

void set(pugi::xml_node node, const char* name, const std::string& value) {
  node.append_attribute(name).set_value(xml_text(value).c_str());
}

void set(pugi::xml_node node, const char* name, size_t value) {
  node.append_attribute(name).set_value(static_cast<unsigned long long>(value));
}

// Seconds as JUnit readers expect them: with three decimals.
void set_time(pugi::xml_node node, double seconds) {
  node.append_attribute("time").set_value(fmt::format("{:.3f}", seconds).c_str());
}

struct Suite {
  std::vector<const CheckCase*> cases;
  size_t failures = 0, errors = 0;
  double seconds = 0;
};

}  // namespace

void write_junit(const std::vector<CheckCase>& cases, std::ostream& out) {
  std::map<std::string, Suite> suites;
  size_t failures = 0, errors = 0;
  double seconds = 0;
  for (const CheckCase& c : cases) {
    Suite& s = suites[c.file];
    s.cases.push_back(&c);
    s.seconds += c.seconds;
    seconds += c.seconds;
    if (c.status == CheckCase::Status::failed) ++s.failures, ++failures;
    if (c.status == CheckCase::Status::bad_input || c.status == CheckCase::Status::internal_error)
      ++s.errors, ++errors;
  }
  pugi::xml_document doc;
  pugi::xml_node declaration = doc.append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  pugi::xml_node all = doc.append_child("testsuites");
  set(all, "name", std::string("iocsim check"));
  set(all, "tests", cases.size());
  set(all, "failures", failures);
  set(all, "errors", errors);
  set_time(all, seconds);
  for (const auto& [file, s] : suites) {
    pugi::xml_node suite = all.append_child("testsuite");
    set(suite, "name", file);
    set(suite, "tests", s.cases.size());
    set(suite, "failures", s.failures);
    set(suite, "errors", s.errors);
    set_time(suite, s.seconds);
    for (const CheckCase* c : s.cases) {
      pugi::xml_node test = suite.append_child("testcase");
      set(test, "classname", file);
      set(test, "name", c->policy.empty() ? std::string("load") : c->policy);
      set_time(test, c->seconds);
      if (c->status == CheckCase::Status::passed) continue;
      pugi::xml_node problem =
          test.append_child(c->status == CheckCase::Status::failed ? "failure" : "error");
      set(problem, "type",
          std::string(c->status == CheckCase::Status::failed      ? "expectation"
                      : c->status == CheckCase::Status::bad_input ? "bad input"
                                                                  : "internal error"));
      set(problem, "message", c->message);
      problem.append_child(pugi::node_pcdata).set_value(xml_text(c->detail).c_str());
    }
  }
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
}

}  // namespace iocsim::report
