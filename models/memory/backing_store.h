// SPDX-License-Identifier: GPL-2.0-only
// Sparse physical memory contents: one LineValue per 64-byte line, stored only
// for pages that have been written. A page never written reads as version 0
// (whatever memory held before the simulation began).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "models/common/line_value.h"

namespace iocsim::models {

class BackingStore {
 public:
  LineValue read(uint64_t pa) const;
  void write(uint64_t pa, const LineValue& value);
  uint64_t pages_touched() const { return pages_.size(); }

 private:
  using Page = std::array<LineValue, kLinesPerPage>;
  std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
};

}  // namespace iocsim::models
