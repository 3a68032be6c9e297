// SPDX-License-Identifier: GPL-2.0-only
// Exact parsing of the values users write: integers, sizes, times, frequencies.
//
// Everything is integer arithmetic: "2.5us" is 2 500 000 ps exactly, any 64-bit
// value (0xFFFFFFFFFFFFF000) is accepted exactly, and anything that does not fit
// in 64 bits is an error, never a silent wrap. Errors are one-line messages
// without a position; callers attach FILE:LINE:COL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace iocsim::units {

// A value or the reason there is none.
template <typename T>
class Parsed {
 public:
  Parsed(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  static Parsed failure(std::string message) { return Parsed(Error{std::move(message)}); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  struct Error {
    std::string message;
  };
  explicit Parsed(Error e) : v_(std::move(e)) {}
  std::variant<T, Error> v_;
};

// A duration as written: either picoseconds or CPU cycles (converted later,
// once the CPU clock is known).
struct Duration {
  uint64_t amount = 0;
  bool in_cycles = false;

  friend bool operator==(const Duration& a, const Duration& b) {
    return a.amount == b.amount && a.in_cycles == b.in_cycles;
  }
};

// Plain unsigned integer: decimal or 0x-hex, '_' separators allowed.
Parsed<uint64_t> parse_integer(std::string_view text);

// Bytes: an integer, or a number (decimals allowed) with B, KiB, MiB, GiB, TiB,
// PiB or EiB. K/M/G/KB/MB/GB are rejected as ambiguous.
Parsed<uint64_t> parse_size(std::string_view text);

// ps, ns, us, ms, s, or cycles (whole cycles only).
Parsed<Duration> parse_duration(std::string_view text);

// Hz, kHz, MHz or GHz.
Parsed<uint64_t> parse_frequency(std::string_view text);

// Picoseconds of `cycles` at `hz`, rounded to the nearest picosecond.
uint64_t cycles_to_picos(uint64_t cycles, uint64_t hz);

// Resolve a duration to picoseconds with the given CPU clock.
uint64_t to_picos(const Duration& d, uint64_t cpu_hz);

// "2MiB", "4KiB", "12345" (bytes): the shortest exact binary-unit spelling.
std::string format_size(uint64_t bytes);
// Three significant digits of the largest unit the size reaches, marked
// approximate unless exact: "4MiB", "1.5GiB", "~4.02MiB" (4112 KiB), "~1TiB".
// At most 8 characters, for tables; format_size() keeps every digit.
std::string format_size_largest(uint64_t bytes);

// "0x7f0000000000"
std::string format_hex(uint64_t value);

}  // namespace iocsim::units
