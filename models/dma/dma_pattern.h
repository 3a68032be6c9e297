// SPDX-License-Identifier: GPL-2.0-only
// How a background DMA actor (dma_actor.h) walks its range, declared once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/enum_names.h"

namespace iocsim::models {

enum class DmaPattern : uint8_t {
  probe,   // every line over and over, one line per request (a polling device)
  stream,  // sequentially, request after request, wrapping at the end
  random,  // request-sized pieces at random, from the actor's seed
};

inline constexpr std::string_view kDmaPatternNames[] = {"probe", "stream", "random"};

inline constexpr std::string_view to_string(DmaPattern pattern) {
  return kDmaPatternNames[static_cast<size_t>(pattern)];
}

inline std::optional<DmaPattern> dma_pattern_named(std::string_view name) {
  return enum_named<DmaPattern>(kDmaPatternNames, name);
}

}  // namespace iocsim::models
