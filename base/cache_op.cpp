// SPDX-License-Identifier: GPL-2.0-only
#include "base/cache_op.h"

namespace iocsim {

std::optional<CacheOp> cache_op_named(std::string_view name) {
  for (const CacheOpInfo& i : kCacheOps)
    if (i.name == name) return i.op;
  return std::nullopt;
}

std::vector<std::string> scenario_cache_op_names() {
  std::vector<std::string> names;
  for (const CacheOpInfo& i : kCacheOps)
    if (i.isa == Isa::x86_64) names.emplace_back(i.name);
  return names;
}

std::vector<std::string> kernel_flush_names() {
  std::vector<std::string> names;
  for (const CacheOpInfo& i : kCacheOps)
    if (i.kernel_flush) names.emplace_back(i.name);
  return names;
}

std::vector<std::string> kernel_flush_names(Isa isa) {
  std::vector<std::string> names;
  for (const CacheOpInfo& i : kCacheOps)
    if (i.kernel_flush && i.isa == isa) names.emplace_back(i.name);
  return names;
}

}  // namespace iocsim
