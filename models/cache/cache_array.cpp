// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/cache_array.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {

CacheArray::CacheArray(const std::string& level, uint64_t size, uint64_t ways) {
  if (size == 0) return;
  const uint64_t lines = size / kLineBytes;
  if (ways == 0 || size % kLineBytes != 0 || lines % ways != 0)
    throw std::invalid_argument(level + ": size must be a whole number of lines per way");
  assoc_ = ways;
  sets_ = lines / ways;
  if ((sets_ & (sets_ - 1)) == 0) set_mask_ = sets_ - 1;
}

CacheWay* CacheArray::find(uint64_t line) {
  if (ways_.empty()) return nullptr;
  CacheWay* set = set_of(line);
  for (uint64_t w = 0; w < assoc_; ++w)
    if (set[w].valid && set[w].line == line) return &set[w];
  return nullptr;
}

const CacheWay* CacheArray::find(uint64_t line) const {
  return const_cast<CacheArray*>(this)->find(line);
}

CacheWay& CacheArray::victim(uint64_t line, uint64_t ways) {
  if (ways_.empty()) ways_.resize(capacity());
  CacheWay* set = set_of(line);
  CacheWay* victim = &set[0];
  const uint64_t candidates = ways == 0 ? assoc_ : std::min(ways, assoc_);
  for (uint64_t w = 0; w < candidates; ++w) {
    if (!set[w].valid) return set[w];
    if (set[w].lru < victim->lru) victim = &set[w];
  }
  return *victim;
}

}  // namespace iocsim::models
