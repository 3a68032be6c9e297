// SPDX-License-Identifier: GPL-2.0-only
// The two pages a map of per-page records was last asked about, the latest
// first, each with its record or the knowledge that it has none. A stream of
// lines stays in a page, and zeroing a guest interleaves two such streams
// (stores to one page, write-backs of a page stored long before), so two
// entries spare nearly every lookup in the map, which grows with the guest.
// The owner updates the memo when it adds or erases a record: pointers into
// an unordered_map survive rehashing, not erasure. What is remembered is a
// pointer to the record, or any other handle the owner chooses (find_in and
// find_or_add need a pointer).
#pragma once

#include <array>
#include <cstdint>
#include <utility>

namespace iocsim {

template <typename Record, typename Handle = Record*>
class PageMemo {
 public:
  // Whether `page` is remembered; if so, `record` is its record (nullptr: none).
  bool find(uint64_t page, Handle& record) {
    if (entries_[0].page != page) {
      if (entries_[1].page != page) return false;
      std::swap(entries_[0], entries_[1]);
    }
    record = entries_[0].record;
    return true;
  }
  // `page`'s record in `map` (an unordered_map by page number), or nullptr;
  // looked up only if not remembered. The record is the owner's to change,
  // whether or not it asks through a const map.
  template <typename Map>
  Record* find_in(uint64_t page, const Map& map) {
    Record* record = nullptr;
    if (find(page, record)) return record;
    auto it = map.find(page);
    if (it != map.end()) record = const_cast<Record*>(&it->second);
    remember(page, record);
    return record;
  }
  // `page`'s record in `map`, made (default-constructed) if it has none.
  template <typename Map>
  Record* find_or_add(uint64_t page, Map& map) {
    Record* record = find_in(page, map);
    if (!record) {
      record = &map[page];
      remember(page, record);
    }
    return record;
  }
  // Remembers `page` (as the latest) with `record`, which may be nullptr
  // (as the owner says after erasing the page's record).
  void remember(uint64_t page, Handle record) {
    if (entries_[0].page != page) entries_[1] = entries_[0];
    entries_[0] = {page, record};
  }
  // Forgets both pages (as the owner says when records move).
  void forget() { entries_ = {}; }

 private:
  struct Entry {
    uint64_t page = ~uint64_t{0};  // no page number is this large
    Handle record{};
  };
  std::array<Entry, 2> entries_{};
};

}  // namespace iocsim
