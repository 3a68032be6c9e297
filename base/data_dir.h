// SPDX-License-Identifier: GPL-2.0-only
// Where iocsim's data files are: the platform presets, the scenario library
// and the plot script. An installed iocsim (PREFIX/bin/iocsim) reads
// PREFIX/share/iocsim (cmake/install.cmake); one run from its build tree,
// the source tree it was built from.
#pragma once

#include <string>

namespace iocsim {

std::string data_dir();

}  // namespace iocsim
