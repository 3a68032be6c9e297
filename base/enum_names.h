// SPDX-License-Identifier: GPL-2.0-only
// An enum whose values are named by an array in enum order (0, 1, ...): the
// one list that parsing, printing and choice lists derive from.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iocsim {

// The value `name` names, or nothing.
template <typename Enum, size_t N>
std::optional<Enum> enum_named(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

// Every name, in enum order (a choice list).
template <size_t N>
std::vector<std::string> enum_names(const std::string_view (&names)[N]) {
  return {std::begin(names), std::end(names)};
}

}  // namespace iocsim
