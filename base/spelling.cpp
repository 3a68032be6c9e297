// SPDX-License-Identifier: GPL-2.0-only
#include "base/spelling.h"

#include <algorithm>

#include <fmt/format.h>

namespace iocsim {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of adjacent characters each count one ("szie" -> "size").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 0;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  // A third of the longer word, at least 1 and at most 3 edits: catches typos
  // without proposing unrelated names. A candidate that keeps no character of
  // the word ('1' for '6') is unrelated whatever its length.
  const size_t longer = std::max(word.size(), best.size());
  const size_t limit = std::clamp<size_t>(longer / 3, 1, 3);
  return !best.empty() && best_distance <= limit && best_distance < longer ? best
                                                                           : std::string();
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = closest_match(word, candidates);
  return match.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", match);
}

}  // namespace iocsim
