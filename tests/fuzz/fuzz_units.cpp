// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: arbitrary text through the size, time, frequency and
// integer parsers. None may crash; what parses as a size must print and
// parse back to the same number of bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/units.h"

namespace units = iocsim::units;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto n = units::parse_size(text)) {
    auto back = units::parse_size(units::format_size(*n));
    if (!back || *back != *n) std::abort();
  } else if (n.error().empty()) {
    std::abort();  // a rejection must say why
  }
  if (auto d = units::parse_duration(text); !d && d.error().empty()) std::abort();
  if (auto f = units::parse_frequency(text); !f && f.error().empty()) std::abort();
  if (auto i = units::parse_integer(text)) {
    if (units::parse_integer(std::to_string(*i)).value() != *i) std::abort();
  } else if (i.error().empty()) {
    std::abort();
  }
  return 0;
}
