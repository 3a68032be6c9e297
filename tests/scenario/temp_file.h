// SPDX-License-Identifier: GPL-2.0-only
// A file with given text for the length of a test; named per process,
// because ctest runs test cases in parallel.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

class TempFile {
 public:
  TempFile(const std::string& tag, const std::string& text)
      : path_("/tmp/iocsim-" + tag + "-" + std::to_string(::getpid()) + ".yaml") {
    std::ofstream out(path_, std::ios::binary);
    out << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
