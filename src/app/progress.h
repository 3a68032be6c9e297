// SPDX-License-Identifier: GPL-2.0-only
// A progress bar on stderr for long runs: points done, failed, time left.
// On a terminal it redraws one line; otherwise (CI logs) it prints a line at
// every tenth of the work, so logs stay short.
#pragma once

#include <chrono>
#include <cstddef>

namespace iocsim::app {

class Progress {
 public:
  explicit Progress(size_t total, bool enabled);
  void finished(bool failed);
  void close();  // ends the line on a terminal

 private:
  void draw();

  size_t total_, done_ = 0, failed_ = 0, last_tenth_ = 0;
  bool enabled_, terminal_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace iocsim::app
