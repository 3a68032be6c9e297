// SPDX-License-Identifier: GPL-2.0-only
// Files a command writes (--json, --trace, --vcd, --junit): checked before
// anything runs, so a typo in a path costs no simulation.
#pragma once

#include <string>

#include "app/commands.h"

namespace iocsim::app {

// Creates (or truncates) the file; reports "--OPTION: cannot write ..." at the
// argument's column and returns false if it cannot.
bool output_writable(const Arg& file, const std::string& option);

// "trace.json" + "none" -> "trace.none.json" ("trace" -> "trace.none"): one
// file per run under --policy all or --backend all.
std::string with_label(const std::string& path, const std::string& label);

}  // namespace iocsim::app
