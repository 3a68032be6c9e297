// SPDX-License-Identifier: GPL-2.0-only
// `iocsim check --junit`: JUnit XML as CI systems read it (Jenkins, GitLab,
// GitHub test reporters): one <testsuite> per scenario file, one <testcase>
// per policy it ran under.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace iocsim::report {

struct CheckCase {
  enum class Status { passed, failed, bad_input, internal_error };
  std::string file;
  std::string policy;  // empty for a file that did not load
  Status status = Status::passed;
  std::string message;  // why it failed
  std::string detail;   // the text report or the diagnostics
  double seconds = 0;
};

void write_junit(const std::vector<CheckCase>& cases, std::ostream& out);

}  // namespace iocsim::report
