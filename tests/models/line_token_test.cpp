// SPDX-License-Identifier: GPL-2.0-only
// The token a line carries on TLM sockets: its byte layout and round trip.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>

#include "models/common/line_token.h"

using namespace iocsim;
using namespace iocsim::models;

TEST_CASE("a line token is the version word, then owner | tag << 32, then zeroes") {
  unsigned char data[2 * kLineBytes];
  std::memset(data, 0xAB, sizeof data);
  const LineValue v{std::numeric_limits<uint64_t>::max() - 1, 0x89ABCDEFu, 0x01234567u};
  put_line(data, 1, v);

  uint64_t words[2];
  std::memcpy(words, data + kLineBytes, sizeof words);
  CHECK(words[0] == v.version);
  CHECK(words[1] == (uint64_t{0x01234567} << 32 | 0x89ABCDEF));
  for (uint64_t i = kLineBytes + 16; i < 2 * kLineBytes; ++i) CHECK(data[i] == 0);
  for (uint64_t i = 0; i < kLineBytes; ++i) CHECK(data[i] == 0xAB);  // line 0 untouched

  CHECK(get_line(data, 1) == v);
  put_line(data, 0, LineValue{});
  CHECK(get_line(data, 0) == LineValue{});
  CHECK(get_line(data, 1) == v);
}
