// SPDX-License-Identifier: GPL-2.0-only
#include <catch2/catch.hpp>

#include "base/units.h"

using namespace iocsim::units;

TEST_CASE("sizes parse exactly, with binary units only") {
  CHECK(*parse_size("4096") == 4096);
  CHECK(*parse_size("0x1000") == 4096);
  CHECK(*parse_size("4KiB") == 4096);
  CHECK(*parse_size("2MiB") == 2u << 20);
  CHECK(*parse_size("1.5GiB") == 3ull << 29);
  CHECK(*parse_size("1TiB") == 1ull << 40);
  CHECK(*parse_size("0xFFFFFFFFFFFFF000") == 0xFFFFFFFFFFFFF000ull);
  CHECK(*parse_size("18446744073709551615") == UINT64_MAX);

  CHECK_FALSE(parse_size("18446744073709551616"));
  CHECK_FALSE(parse_size("0x10000000000000000"));
  CHECK_FALSE(parse_size("16EiB"));
  CHECK_FALSE(parse_size("-4KiB"));
  CHECK_FALSE(parse_size("1.5"));
  CHECK_FALSE(parse_size("0.3KiB"));  // 307.2 bytes
  CHECK_FALSE(parse_size("abc"));
  CHECK_FALSE(parse_size(""));
}

TEST_CASE("K, M and G alone are rejected as ambiguous") {
  for (const char* text : {"4K", "2M", "1G", "4KB", "2MB"}) {
    auto r = parse_size(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().find("ambiguous") != std::string::npos);
  }
  CHECK(parse_size("4Ki").error().find("unknown size unit") != std::string::npos);
}

TEST_CASE("times parse to exact picoseconds or whole cycles") {
  CHECK(parse_duration("100ns")->amount == 100'000);
  CHECK(parse_duration("2.5us")->amount == 2'500'000);
  CHECK(parse_duration("1ms")->amount == 1'000'000'000);
  CHECK(parse_duration("167ps")->amount == 167);
  CHECK(parse_duration("27.5ns")->amount == 27'500);
  const auto cycles = parse_duration("4000cycles");
  CHECK(cycles->in_cycles);
  CHECK(cycles->amount == 4000);

  CHECK_FALSE(parse_duration("100"));
  CHECK_FALSE(parse_duration("2.5ps"));
  CHECK_FALSE(parse_duration("1.5cycles"));
  CHECK_FALSE(parse_duration("3 fortnights"));
  CHECK_FALSE(parse_duration("18446744073709552s"));
}

TEST_CASE("cycles convert with the CPU clock, rounded to the nearest picosecond") {
  CHECK(cycles_to_picos(3, 3'000'000'000) == 1000);
  CHECK(cycles_to_picos(42, 3'000'000'000) == 14'000);
  CHECK(cycles_to_picos(1, 3'000'000'000) == 333);
  CHECK(to_picos({5000, false}, 3'000'000'000) == 5000);
}

TEST_CASE("frequencies and integers") {
  CHECK(*parse_frequency("3GHz") == 3'000'000'000ull);
  CHECK(*parse_frequency("2.6GHz") == 2'600'000'000ull);
  CHECK(*parse_frequency("800MHz") == 800'000'000ull);
  CHECK_FALSE(parse_frequency("0GHz"));
  CHECK_FALSE(parse_frequency("3"));
  CHECK(*parse_integer("1_000") == 1000);
  CHECK_FALSE(parse_integer("4KiB"));
  CHECK_FALSE(parse_integer("1.0"));
}

TEST_CASE("sizes format as the shortest exact binary unit") {
  CHECK(format_size(2u << 20) == "2MiB");
  CHECK(format_size(4096) == "4KiB");
  CHECK(format_size(4097) == "4097");
  CHECK(format_size(0) == "0");
  CHECK(format_size(4210688) == "4112KiB");
  CHECK(format_hex(0x7f0000000000) == "0x7f0000000000");
}

TEST_CASE("a size for a table is three digits of its largest unit, marked when rounded") {
  CHECK(format_size_largest(4210688) == "~4.02MiB");  // 4112 KiB
  CHECK(format_size_largest(4 << 20) == "4MiB");
  CHECK(format_size_largest(3 * (uint64_t{1} << 30) / 2) == "1.5GiB");  // exact in 3 digits
  CHECK(format_size_largest(3 * (uint64_t{1} << 30) / 2 + 4096) == "~1.5GiB");
  CHECK(format_size_largest((uint64_t{1} << 40) + 16384) == "~1TiB");
  CHECK(format_size_largest(123456789) == "~118MiB");
  CHECK(format_size_largest(1000) == "1000");  // under 1 KiB: bytes
  CHECK(format_size_largest(1023 * 1024) == "1023KiB");
}
