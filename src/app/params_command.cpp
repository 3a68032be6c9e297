// SPDX-License-Identifier: GPL-2.0-only
// `iocsim params`: the parameter catalogue with the default preset's values.
#include <iostream>

#include <fmt/format.h>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "platform/catalog.h"
#include "platform/preset.h"

namespace iocsim::app {

int params_command() {
  yaml::Diagnostics diags;
  auto preset = platform::load_preset("default", diags);
  for (const auto& d : diags.list()) std::cerr << d.format() << "\n";
  if (!preset) return kExitInternal;
  std::cout << fmt::format("{:<22} {:<22} {:<12} {}\n", "parameter", "unit", "default", "meaning");
  for (const auto& [name, spec] : platform::catalog().specs()) {
    auto value = preset->params.find(name);
    std::cout << fmt::format("{:<22} {:<22} {:<12} {}\n", name, params::unit_label(spec),
                             value == preset->params.end() ? "-" : value->second, spec.meaning);
  }
  return kExitOk;
}

}  // namespace iocsim::app
