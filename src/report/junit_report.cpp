// SPDX-License-Identifier: GPL-2.0-only
#include "report/junit_report.h"

#include <map>

#include <fmt/format.h>

namespace iocsim::report {
namespace {

// Text in attributes and elements; characters XML 1.0 cannot carry at all
// (control characters other than tab and newline) become '?'.
std::string xml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    }
  }
  return out;
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
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"iocsim check\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"{}\" time=\"{:.3f}\">\n",
                     cases.size(), failures, errors, seconds);
  for (const auto& [file, s] : suites) {
    out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
                       "time=\"{:.3f}\">\n",
                       xml(file), s.cases.size(), s.failures, s.errors, s.seconds);
    for (const CheckCase* c : s.cases) {
      out << fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                         xml(file), xml(c->policy.empty() ? "load" : c->policy), c->seconds);
      if (c->status == CheckCase::Status::passed) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      const char* element = c->status == CheckCase::Status::failed ? "failure" : "error";
      const char* type = c->status == CheckCase::Status::failed      ? "expectation"
                         : c->status == CheckCase::Status::bad_input ? "bad input"
                                                                     : "internal error";
      out << fmt::format("      <{} type=\"{}\" message=\"{}\">{}</{}>\n", element, type,
                         xml(c->message), xml(c->detail), element);
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace iocsim::report
