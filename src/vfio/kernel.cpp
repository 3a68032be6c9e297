// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/kernel.h"

namespace iocsim::vfio {

bool KernelLog::warn_on(bool condition, const std::string& what) {
  if (condition) {
    ++warnings_;
    lines_.push_back("WARNING: " + what);
  }
  return condition;
}

bool KernelLog::warn_on_once(bool condition, const std::string& what) {
  if (condition && warned_once_.insert(what).second) warn_on(true, what);
  return condition;
}

}  // namespace iocsim::vfio
