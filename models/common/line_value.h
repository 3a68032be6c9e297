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

// Encode/decode the token of line `index` in a payload data buffer.
inline void put_line(unsigned char* data, uint64_t index, const LineValue& v) {
  unsigned char* slot = data + index * kLineBytes;
  std::memcpy(slot, &v, sizeof v);
  std::memset(slot + sizeof v, 0, kLineBytes - sizeof v);
}

inline LineValue get_line(const unsigned char* data, uint64_t index) {
  LineValue v;
  std::memcpy(&v, data + index * kLineBytes, sizeof v);
  return v;
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
