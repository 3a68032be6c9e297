// SPDX-License-Identifier: GPL-2.0-only
// A line's token (base/line_value.h) on TLM sockets, and the clock that
// numbers writes.
//
// The token travels inside real bytes: each line's 64-byte slot of the
// payload's data buffer holds the encoded token in its first 16 bytes and
// zeroes after, so a generic TLM memory would store and return it faithfully.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/line_value.h"

namespace iocsim::models {

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
