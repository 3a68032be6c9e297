// SPDX-License-Identifier: GPL-2.0-only
#include "vfio/errno_names.h"

#include <cerrno>
#include <cstdlib>

namespace iocsim::vfio {
namespace {

struct Entry {
  const char* name;
  int value;
};

constexpr Entry kErrnos[] = {
    {"EPERM", EPERM},     {"ENOENT", ENOENT},       {"ESRCH", ESRCH},   {"EINTR", EINTR},
    {"EIO", EIO},         {"ENXIO", ENXIO},         {"E2BIG", E2BIG},   {"EBADF", EBADF},
    {"EAGAIN", EAGAIN},   {"ENOMEM", ENOMEM},       {"EACCES", EACCES}, {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},     {"EEXIST", EEXIST},       {"ENODEV", ENODEV}, {"EINVAL", EINVAL},
    {"ENOSPC", ENOSPC},   {"ENOTTY", ENOTTY},       {"ERANGE", ERANGE}, {"ENOSYS", ENOSYS},
    {"EOVERFLOW", EOVERFLOW}, {"EOPNOTSUPP", EOPNOTSUPP}, {"EADDRINUSE", EADDRINUSE},
};

}  // namespace

std::string errno_name(int err) {
  const int value = std::abs(err);
  for (const auto& e : kErrnos)
    if (e.value == value) return e.name;
  return "E?" + std::to_string(value);
}

std::optional<int> errno_value(std::string_view name) {
  for (const auto& e : kErrnos)
    if (name == e.name) return e.value;
  return std::nullopt;
}

std::vector<std::string> errno_names() {
  std::vector<std::string> out;
  for (const auto& e : kErrnos) out.emplace_back(e.name);
  return out;
}

}  // namespace iocsim::vfio
