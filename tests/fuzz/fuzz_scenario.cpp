// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: arbitrary bytes as a scenario file. Every input must end
// in a validated scenario or in diagnostics, each a FILE:LINE:COL: error:
// line with a position inside the file; never a crash, hang or leak.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path =
      "/tmp/iocsim-fuzz-scenario-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  iocsim::yaml::Diagnostics diags;
  const auto scenario = iocsim::scenario::load_scenario(path, {}, diags);
  if (!scenario && diags.empty()) std::abort();  // rejected without saying why
  if (scenario && !diags.empty()) std::abort();  // accepted despite errors
  for (const auto& d : diags.list()) {
    if (d.line < 1 || d.column < 1 || d.message.empty()) std::abort();
    if (d.format().find(": error: ") == std::string::npos) std::abort();
  }
  return 0;
}
