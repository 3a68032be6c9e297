// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/backing_store.h"

namespace iocsim::models {

LineValue BackingStore::read(uint64_t pa) const {
  auto it = pages_.find(page_of(pa));
  if (it == pages_.end()) return LineValue{};
  return (*it->second)[(pa >> kLineShift) % kLinesPerPage];
}

void BackingStore::write(uint64_t pa, const LineValue& value) {
  auto& page = pages_[page_of(pa)];
  if (!page) page = std::make_unique<Page>();
  (*page)[(pa >> kLineShift) % kLinesPerPage] = value;
}

}  // namespace iocsim::models
