// SPDX-License-Identifier: GPL-2.0-only
// `iocsim params`: every parameter with its unit, default and meaning, and
// under each, where its default comes from.
#include <iostream>

#include <fmt/format.h>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "platform/catalog.h"

namespace iocsim::app {

int params_command() {
  std::cout << fmt::format("{:<22} {:<22} {:<12} {}\n", "parameter", "unit", "default", "meaning");
  for (const auto& [name, spec] : platform::catalog().specs()) {
    std::cout << fmt::format("{:<22} {:<22} {:<12} {}\n", name, params::unit_label(spec),
                             spec.default_text, spec.meaning);
    std::cout << fmt::format("{:<22} source: {}\n", "", spec.source);
  }
  return kExitOk;
}

}  // namespace iocsim::app
