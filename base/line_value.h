// SPDX-License-Identifier: GPL-2.0-only
// What a cache line holds, symbolically.
//
// iocsim does not simulate data bytes. Each 64-byte line carries a token naming
// the write that produced it: a global version (one per write event, so later
// writes have larger versions), the principal that owns the data (0 = nobody,
// e.g. zeroes) and a tag (0 = none, else an interned `fill` label). Comparing
// the version a reader got with the newest version of the line is what the
// oracle uses to find stale reads.
//
// How the token travels on TLM sockets is models/common/line_token.h.
#pragma once

#include <algorithm>
#include <cstdint>

namespace iocsim {

inline constexpr uint64_t kLineBytes = 64;
inline constexpr uint64_t kLineShift = 6;
inline constexpr uint64_t kPageBytes = 4096;
inline constexpr uint64_t kPageShift = 12;
inline constexpr uint64_t kLinesPerPage = kPageBytes / kLineBytes;

using OwnerId = uint32_t;
using TagId = uint32_t;
inline constexpr OwnerId kNobody = 0;
inline constexpr TagId kNoTag = 0;

struct LineValue {
  uint64_t version = 0;  // 0: the content memory had before the simulation started
  OwnerId owner = kNobody;
  TagId tag = kNoTag;

  friend bool operator==(const LineValue& a, const LineValue& b) {
    return a.version == b.version && a.owner == b.owner && a.tag == b.tag;
  }
  friend bool operator!=(const LineValue& a, const LineValue& b) { return !(a == b); }
};
static_assert(sizeof(LineValue) == 16, "a LineValue must fit the start of a line slot");

inline constexpr uint64_t line_of(uint64_t addr) { return addr >> kLineShift; }
inline constexpr uint64_t line_base(uint64_t addr) { return addr & ~(kLineBytes - 1); }
inline constexpr uint64_t page_of(uint64_t addr) { return addr >> kPageShift; }

// Calls fn(page, mask) for each page the `lines` lines from `pa` reach, in
// order: the page number and one bit per line of the page they cover.
template <typename Fn>
void for_each_page_mask(uint64_t pa, uint64_t lines, Fn fn) {
  for (uint64_t line = pa >> kLineShift, end = line + lines; line < end;) {
    const uint64_t from = line % kLinesPerPage, count = std::min(end - line, kLinesPerPage - from);
    fn(line / kLinesPerPage,
       count == kLinesPerPage ? ~uint64_t{0} : ((uint64_t{1} << count) - 1) << from);
    line += count;
  }
}

}  // namespace iocsim
