// SPDX-License-Identifier: GPL-2.0-only
// StreamedCopies against a line-by-line list of copies, oldest first.
#include "analysis/streamed_copies.h"

#include <catch2/catch.hpp>
#include <deque>
#include <random>

using iocsim::analysis::StreamedCopies;
using iocsim::LineValue;

namespace {

struct Copy {
  uint64_t line;
  LineValue value;
  bool dirty;
};

std::deque<Copy> lines_of(const StreamedCopies& c) {
  StreamedCopies copy = c;
  std::deque<Copy> out;
  copy.drain([&](const StreamedCopies::Span& s) {
    for (uint64_t i = 0; i < s.count; ++i) out.push_back({s.line + i, s.value, s.dirty});
  });
  return out;
}

}  // namespace

TEST_CASE("streamed copies keep lines, values and dirt as a list of lines would") {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 50; ++round) {
    StreamedCopies spans;
    std::deque<Copy> ref;
    uint64_t next = 1000 + rng() % 100;
    for (int op = 0; op < 200; ++op) {
      const unsigned kind = rng() % 4;
      if (kind == 0 || ref.empty()) {
        const uint64_t count = 1 + rng() % 40;
        const LineValue v{1 + rng() % 3, 1, 0};
        if (rng() % 4 == 0) next += rng() % 100;  // not always right after the last
        spans.add(next, count, v);
        for (uint64_t i = 0; i < count; ++i) ref.push_back({next + i, v, true});
        next += count;
      } else if (kind == 1) {
        const uint64_t most = 1 + rng() % 60;
        uint64_t want = 0;
        while (want < most && want < ref.size() && ref[want].line == ref.front().line + want) ++want;
        REQUIRE(spans.leading(ref.front().line, most) == want);
        REQUIRE(spans.leading(ref.front().line + 1, most) == 0);
        // Some of those lines, from the skip-th oldest on.
        const uint64_t skip = rng() % want, count = 1 + rng() % (want - skip);
        const LineValue v{1 + rng() % 3, 1, 0};
        uint64_t seen = 0;
        spans.each_leading(skip, count, [&](const StreamedCopies::Span& s, uint64_t n) {
          for (uint64_t i = 0; i < n; ++i) REQUIRE(ref[skip + seen + i].value == s.value);
          seen += n;
        });
        REQUIRE(seen == count);
        spans.clean_leading(skip, count, v);
        for (uint64_t i = skip; i < skip + count; ++i)
          if (ref[i].value == v) ref[i].dirty = false;
      } else {
        const uint64_t count = std::min<uint64_t>(ref.size(), 1 + rng() % 50);
        spans.drop_oldest(count);
        ref.erase(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(count));
      }
      REQUIRE(spans.empty() == ref.empty());
      if (!ref.empty()) REQUIRE(spans.oldest_line() == ref.front().line);
      for (const Copy& c : ref) REQUIRE(spans.may_hold(c.line, c.line + 1));
      REQUIRE_FALSE(spans.may_hold(5, 5));
    }
    const std::deque<Copy> got = lines_of(spans);
    REQUIRE(got.size() == ref.size());
    for (size_t i = 0; i < ref.size(); ++i) {
      REQUIRE(got[i].line == ref[i].line);
      REQUIRE(got[i].value == ref[i].value);
      REQUIRE(got[i].dirty == ref[i].dirty);
    }
  }
}
