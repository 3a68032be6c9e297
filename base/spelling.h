// SPDX-License-Identifier: GPL-2.0-only
// "Did you mean ...?" hints for misspelt names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iocsim {

// The candidate closest to `word` by edit distance, or "" when none is close
// enough to be a plausible typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace iocsim
