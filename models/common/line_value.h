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
// On TLM sockets the token travels inside real bytes: each line's 64-byte slot
// of the payload's data buffer holds the encoded token in its first 16 bytes and
// zeroes after, so a generic TLM memory would store and return it faithfully.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace iocsim::models {

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

// Encode/decode the token of line `index` in a payload data buffer: two
// 64-bit words in host byte order, the version and then owner | tag << 32.
//
// Both sides move the token as those two 8-byte words. A token written in
// halves and read back whole by the next hop (or the reverse) cannot be
// forwarded from the store buffer: the read would wait for the stores to
// retire, once per hop of every request.
inline void put_line(unsigned char* data, uint64_t index, const LineValue& v) {
  unsigned char* slot = data + index * kLineBytes;
  const uint64_t words[2] = {v.version, uint64_t{v.owner} | uint64_t{v.tag} << 32};
  std::memcpy(slot, &words[0], sizeof words[0]);
  std::memcpy(slot + sizeof words[0], &words[1], sizeof words[1]);
  std::memset(slot + sizeof words, 0, kLineBytes - sizeof words);
}

inline LineValue get_line(const unsigned char* data, uint64_t index) {
  const unsigned char* slot = data + index * kLineBytes;
  uint64_t version, owner_and_tag;
  std::memcpy(&version, slot, sizeof version);
  std::memcpy(&owner_and_tag, slot + sizeof version, sizeof owner_and_tag);
  return {version, static_cast<OwnerId>(owner_and_tag), static_cast<TagId>(owner_and_tag >> 32)};
}

// Hands out write versions. One instance per simulation, shared by every writer
// (CPU agent, DMA masters), so versions order all writes of the run.
class VersionClock {
 public:
  uint64_t next() { return ++last_; }
  uint64_t last() const { return last_; }

 private:
  uint64_t last_ = 0;
};

}  // namespace iocsim::models
