// SPDX-License-Identifier: GPL-2.0-only
#include "base/data_dir.h"

#include <filesystem>

namespace iocsim {

std::string data_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed =
        program.parent_path().parent_path() / IOCSIM_INSTALL_DATADIR / "iocsim";
    if (fs::is_directory(installed / "platform" / "presets", ec)) return installed.string();
  }
  return IOCSIM_SOURCE_DIR;
}

}  // namespace iocsim
