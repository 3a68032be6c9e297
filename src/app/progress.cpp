// SPDX-License-Identifier: GPL-2.0-only
#include "app/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace iocsim::app {

Progress::Progress(size_t total, bool enabled)
    : total_(total),
      enabled_(enabled && total > 0),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_ && terminal_) draw();
}

void Progress::finished(bool failed) {
  ++done_;
  failed_ += failed;
  if (!enabled_) return;
  const size_t tenth = done_ * 10 / total_;
  if (terminal_ || tenth != last_tenth_) draw();
  last_tenth_ = tenth;
}

void Progress::close() {
  if (enabled_ && terminal_) std::fputc('\n', stderr);
}

void Progress::draw() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto left = static_cast<long>(done_ ? elapsed / done_ * (total_ - done_) : 0);
  const size_t width = 30, filled = done_ * width / total_;
  const std::string line = fmt::format(
      "[{}{}] {}/{} points, {} failed, {}", std::string(filled, '#'),
      std::string(width - filled, ' '), done_, total_, failed_,
      done_ ? fmt::format("{}:{:02} left", left / 60, left % 60) : std::string("starting"));
  if (terminal_)
    std::fprintf(stderr, "\r%s", line.c_str());
  else
    std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace iocsim::app
