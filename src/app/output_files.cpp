// SPDX-License-Identifier: GPL-2.0-only
#include "app/output_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace iocsim::app {

bool output_writable(const Arg& file, const std::string& option) {
  errno = 0;
  std::ofstream out(file.text, std::ios::trunc);
  if (out) return true;
  command_line_error(file.column, fmt::format("{}: cannot write '{}': {}", option, file.text,
                                              errno ? std::strerror(errno) : "unknown error"));
  return false;
}

std::string with_label(const std::string& path, const std::string& label) {
  const std::filesystem::path p(path);
  if (!p.has_extension()) return path + "." + label;
  return (p.parent_path() / (p.stem().string() + "." + label + p.extension().string()))
      .string();
}

}  // namespace iocsim::app
