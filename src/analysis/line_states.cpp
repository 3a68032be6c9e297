// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/line_states.h"

#include <algorithm>

namespace iocsim::analysis {

using models::kLineShift;
using models::kLinesPerPage;
using models::kPageShift;

LineStates::Page& LineStates::at(uint64_t page) {
  return *memo_.find_or_add(page, pages_);
}

std::optional<LineState> LineStates::whole_page(uint64_t page) const {
  const Page* p = find(page);
  if (!p) return LineState{};
  if (p->lines) return std::nullopt;
  return p->uniform;
}

void LineStates::set(uint64_t pa, const LineState& state) {
  Page& p = at(pa >> kPageShift);
  const uint64_t index = (pa >> kLineShift) % kLinesPerPage;
  if (!p.lines) {
    if (state == p.uniform) return;
    p.lines = spare_ ? std::move(spare_) : std::make_unique<Lines>();
    p.lines->fill(p.uniform);
    ++split_;
  }
  Lines& lines = *p.lines;
  lines[index] = state;
  // The page is whole again when every line is in this state; the first and
  // last lines rule most cases out without a scan.
  if (state != lines.front() || state != lines.back()) return;
  if (!std::all_of(lines.begin(), lines.end(), [&](const LineState& s) { return s == state; }))
    return;
  p.uniform = state;
  spare_ = std::move(p.lines);
  --split_;
}

}  // namespace iocsim::analysis
