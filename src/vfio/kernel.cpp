// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/kernel.h"

namespace iocsim::vfio {

const char* to_string(KernelBase base) { return base == KernelBase::v6_9 ? "v6.9" : "v6.18"; }

bool KernelLog::warn_on(bool condition, const std::string& what) {
  if (condition) {
    ++warnings_;
    lines_.push_back("WARNING: " + what);
  }
  return condition;
}

}  // namespace iocsim::vfio
