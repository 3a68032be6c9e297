// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: arbitrary bytes as a study file, next to a copy of the
// test scenario `sweep-scenario.yaml` it may name. Every input must end in a
// study whose grid expands, or in diagnostics with positions; never a crash.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenario/study.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path dir = [] {
    const fs::path d = "/tmp/iocsim-fuzz-study-" + std::to_string(::getpid());
    fs::create_directories(d);
    fs::copy_file(IOCSIM_TEST_DATA "/sweep-scenario.yaml", d / "sweep-scenario.yaml",
                  fs::copy_options::overwrite_existing);
    return d;
  }();
  const std::string path = (dir / "study.yaml").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  iocsim::yaml::Diagnostics diags;
  const auto study = iocsim::scenario::load_study(path, diags);
  if (!study && diags.empty()) std::abort();
  if (study) {
    if (!diags.empty()) std::abort();
    // Bound the expansion: a fuzzed grid may be large, but not unreasonably.
    size_t points = study->policies.size() * study->seeds.size();
    for (const auto& axis : study->grid) points *= axis.values.size();
    if (points <= 100000 && iocsim::scenario::expand_grid(*study).size() != points)
      std::abort();
  }
  for (const auto& d : diags.list())
    if (d.line < 1 || d.column < 1 || d.message.empty()) std::abort();
  return 0;
}
