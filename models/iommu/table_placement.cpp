// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/table_placement.h"

#include <stdexcept>

#include "base/line_value.h"

namespace iocsim::models {
namespace {

constexpr unsigned kIndexBits = 9;
constexpr uint64_t kEntryBytes = 8;

unsigned span_shift(unsigned level) { return kPageShift + kIndexBits * level; }

}  // namespace

TablePlacement::TablePlacement(uint64_t base, uint64_t size)
    : base_(base), pages_(size / kPageBytes) {
  if (pages_ == 0 || base % kPageBytes != 0)
    throw std::invalid_argument("the I/O page-table pool must be whole 4 KiB pages, at least one");
  statistics_.add("pt_pages", [this] { return table_pages(); });
  statistics_.add("pt_pages_aliased", aliased_);
}

uint64_t TablePlacement::take_page() {
  uint64_t pa;
  if (!free_.empty()) {
    pa = free_.back();
    free_.pop_back();
  } else {
    pa = base_ + (next_++ % pages_) * kPageBytes;
  }
  if (users_[pa]++ > 0) ++aliased_;
  return pa;
}

uint64_t TablePlacement::entry_address(uint32_t domain, unsigned level, uint64_t iova) {
  const unsigned shift = span_shift(level);
  const Node node{domain, level, shift >= 64 ? 0 : iova >> shift};
  auto it = nodes_.find(node);
  if (it == nodes_.end()) it = nodes_.emplace(node, take_page()).first;
  const uint64_t index = (iova >> span_shift(level - 1)) & ((uint64_t{1} << kIndexBits) - 1);
  return it->second + index * kEntryBytes;
}

void TablePlacement::release(uint32_t domain) {
  auto it = nodes_.lower_bound({domain, 0, 0});
  while (it != nodes_.end() && std::get<0>(it->first) == domain) {
    auto users = users_.find(it->second);
    if (--users->second == 0) {
      users_.erase(users);
      free_.push_back(it->second);
    }
    it = nodes_.erase(it);
  }
}

}  // namespace iocsim::models
