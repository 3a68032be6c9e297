// SPDX-License-Identifier: GPL-2.0-only
#include "base/units.h"

#include <array>
#include <cctype>
#include <iterator>
#include <limits>

#include <fmt/format.h>

namespace iocsim::units {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) {
  return __builtin_mul_overflow(a, b, &out);
}

bool add_overflows(uint64_t a, uint64_t b, uint64_t& out) {
  return __builtin_add_overflow(a, b, &out);
}

// A non-negative decimal number split into an integer mantissa and the count
// of digits after the point: "2.50" -> {250, 2}.
struct Decimal {
  uint64_t mantissa = 0;
  unsigned fraction_digits = 0;
};

// Parses the leading number of `s` (decimal with optional fraction, or 0x-hex)
// and returns the rest (the unit) in `rest`.
Parsed<Decimal> parse_number(std::string_view s, std::string_view& rest) {
  if (s.empty()) return Parsed<Decimal>::failure("expected a number");
  if (s.front() == '-') return Parsed<Decimal>::failure("negative values are not allowed");
  if (s.front() == '+') s.remove_prefix(1);
  Decimal d;
  size_t i = 0;
  bool any_digit = false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    i = 2;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '_') continue;
      int digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else break;
      any_digit = true;
      if (mul_overflows(d.mantissa, 16, d.mantissa) ||
          add_overflows(d.mantissa, static_cast<uint64_t>(digit), d.mantissa))
        return Parsed<Decimal>::failure("value does not fit in 64 bits");
    }
    if (!any_digit) return Parsed<Decimal>::failure("expected hex digits after 0x");
    rest = s.substr(i);
    return d;
  }
  bool in_fraction = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    if (c == '.') {
      if (in_fraction) return Parsed<Decimal>::failure("more than one decimal point");
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (mul_overflows(d.mantissa, 10, d.mantissa) ||
        add_overflows(d.mantissa, static_cast<uint64_t>(c - '0'), d.mantissa))
      return Parsed<Decimal>::failure("value does not fit in 64 bits");
    if (in_fraction) ++d.fraction_digits;
  }
  if (!any_digit) return Parsed<Decimal>::failure("expected a number");
  rest = s.substr(i);
  return d;
}

// mantissa * factor / 10^fraction_digits, exactly, or an error.
Parsed<uint64_t> scale(const Decimal& d, uint64_t factor, const char* what) {
  // 128-bit intermediate: 0.5EiB = 5 * 2^60 / 10 must not overflow on the way.
  uint64_t divisor = 1;
  for (unsigned k = 0; k < d.fraction_digits; ++k) {
    if (mul_overflows(divisor, 10, divisor))
      return Parsed<uint64_t>::failure(fmt::format("too many decimal digits in {}", what));
  }
  unsigned __int128 wide = static_cast<unsigned __int128>(d.mantissa) * factor;
  if (wide % divisor != 0)
    return Parsed<uint64_t>::failure(fmt::format("{} is not a whole number of its base unit", what));
  wide /= divisor;
  if (wide > kMax) return Parsed<uint64_t>::failure("value does not fit in 64 bits");
  return static_cast<uint64_t>(wide);
}

struct Unit {
  std::string_view name;
  uint64_t factor;  // base units per unit
};

const Unit* find_unit(std::string_view name, const Unit* begin, const Unit* end) {
  for (const Unit* u = begin; u != end; ++u)
    if (u->name == name) return u;
  return nullptr;
}

constexpr Unit kSizeUnits[] = {{"B", 1},          {"KiB", 1ull << 10}, {"MiB", 1ull << 20},
                               {"GiB", 1ull << 30}, {"TiB", 1ull << 40}, {"PiB", 1ull << 50},
                               {"EiB", 1ull << 60}};
constexpr Unit kTimeUnits[] = {{"ps", 1},
                               {"ns", 1000},
                               {"us", 1000 * 1000},
                               {"ms", 1000ull * 1000 * 1000},
                               {"s", 1000ull * 1000 * 1000 * 1000}};
constexpr Unit kFrequencyUnits[] = {
    {"Hz", 1}, {"kHz", 1000}, {"MHz", 1000 * 1000}, {"GHz", 1000ull * 1000 * 1000}};

template <size_t N>
const Unit* find_unit(std::string_view name, const Unit (&table)[N]) {
  return find_unit(name, table, table + N);
}

}  // namespace

Parsed<uint64_t> parse_integer(std::string_view text) {
  std::string_view s = trim(text);
  std::string_view rest;
  auto number = parse_number(s, rest);
  if (!number) return Parsed<uint64_t>::failure(number.error());
  if (number->fraction_digits != 0)
    return Parsed<uint64_t>::failure(fmt::format("expected an integer, got '{}'", s));
  if (!rest.empty())
    return Parsed<uint64_t>::failure(fmt::format("expected an integer, got '{}'", s));
  return number->mantissa;
}

Parsed<uint64_t> parse_size(std::string_view text) {
  std::string_view s = trim(text);
  std::string_view unit;
  auto number = parse_number(s, unit);
  if (!number) return Parsed<uint64_t>::failure(number.error());
  unit = trim(unit);
  if (unit.empty()) {
    if (number->fraction_digits != 0)
      return Parsed<uint64_t>::failure(
          fmt::format("a size without a unit must be a whole number of bytes, got '{}'", s));
    return number->mantissa;
  }
  if (const Unit* u = find_unit(unit, kSizeUnits)) return scale(*number, u->factor, "size");
  static constexpr std::array<std::string_view, 12> kAmbiguous{
      "K", "M", "G", "T", "KB", "MB", "GB", "TB", "k", "kB", "Kb", "Mb"};
  for (auto a : kAmbiguous) {
    if (unit == a)
      return Parsed<uint64_t>::failure(fmt::format(
          "ambiguous size unit '{}': write a binary unit such as KiB, MiB or GiB", unit));
  }
  return Parsed<uint64_t>::failure(fmt::format(
      "unknown size unit '{}' in '{}' (use B, KiB, MiB, GiB, TiB, PiB or EiB)", unit, s));
}

Parsed<Duration> parse_duration(std::string_view text) {
  std::string_view s = trim(text);
  std::string_view unit;
  auto number = parse_number(s, unit);
  if (!number) return Parsed<Duration>::failure(number.error());
  unit = trim(unit);
  if (unit == "cycles" || unit == "cycle") {
    if (number->fraction_digits != 0)
      return Parsed<Duration>::failure(fmt::format("cycles must be a whole number, got '{}'", s));
    return Duration{number->mantissa, true};
  }
  if (unit.empty())
    return Parsed<Duration>::failure(
        fmt::format("a time needs a unit (ns, us, ms, s or cycles), got '{}'", s));
  if (const Unit* u = find_unit(unit, kTimeUnits)) {
    auto ps = scale(*number, u->factor, "time");
    if (!ps) return Parsed<Duration>::failure(ps.error());
    return Duration{*ps, false};
  }
  return Parsed<Duration>::failure(
      fmt::format("unknown time unit '{}' in '{}' (use ps, ns, us, ms, s or cycles)", unit, s));
}

Parsed<uint64_t> parse_frequency(std::string_view text) {
  std::string_view s = trim(text);
  std::string_view unit;
  auto number = parse_number(s, unit);
  if (!number) return Parsed<uint64_t>::failure(number.error());
  unit = trim(unit);
  if (const Unit* u = find_unit(unit, kFrequencyUnits)) {
    auto hz = scale(*number, u->factor, "frequency");
    if (hz && *hz == 0) return Parsed<uint64_t>::failure("a frequency must be positive");
    return hz;
  }
  return Parsed<uint64_t>::failure(
      fmt::format("expected a frequency such as 3GHz (Hz, kHz, MHz or GHz), got '{}'", s));
}

uint64_t cycles_to_picos(uint64_t cycles, uint64_t hz) {
  unsigned __int128 ps = static_cast<unsigned __int128>(cycles) * 1000000000000ull;
  ps = (ps + hz / 2) / hz;
  return ps > kMax ? kMax : static_cast<uint64_t>(ps);
}

uint64_t to_picos(const Duration& d, uint64_t cpu_hz) {
  return d.in_cycles ? cycles_to_picos(d.amount, cpu_hz) : d.amount;
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0";
  // The largest binary unit first, down to KiB (kSizeUnits[0] is the byte).
  for (size_t i = std::size(kSizeUnits) - 1; i > 0; --i)
    if (bytes % kSizeUnits[i].factor == 0)
      return fmt::format("{}{}", bytes / kSizeUnits[i].factor, kSizeUnits[i].name);
  return fmt::format("{}", bytes);
}

std::string format_size_largest(uint64_t bytes) {
  for (size_t i = std::size(kSizeUnits) - 1; i > 0; --i) {
    const uint64_t factor = kSizeUnits[i].factor;
    if (bytes < factor) continue;
    const double value = static_cast<double>(bytes) / static_cast<double>(factor);
    // Three significant digits (four from 1000 to 1023), trailing zeros dropped.
    std::string digits = fmt::format("{:.{}f}", value, value >= 100 ? 0 : value >= 10 ? 1 : 2);
    if (digits.find('.') != std::string::npos) {
      digits.erase(digits.find_last_not_of('0') + 1);
      if (digits.back() == '.') digits.pop_back();
    }
    // Exact when the digits times the unit give the size back.
    const bool exact = std::stod(digits) * static_cast<double>(factor) == static_cast<double>(bytes);
    return fmt::format("{}{}{}", exact ? "" : "~", digits, kSizeUnits[i].name);
  }
  return format_size(bytes);  // under 1 KiB: bytes, at most four digits
}

std::string format_hex(uint64_t value) { return fmt::format("{:#x}", value); }

}  // namespace iocsim::units
