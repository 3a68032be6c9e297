// SPDX-License-Identifier: GPL-2.0-only
// Long streams of stores applied by arithmetic. Zeroing a guest stores one
// line after another, each one no level holds, one past the previous one
// (consecutive frames, or 2 MiB folios wherever they are). Once such a
// stream has filled the storing core's caches and the LLC, every further
// store does the same thing, line after line:
//  - each level's set takes the stream's lines one set after the next, so
//    the least recently used way of the set a line goes to holds the line
//    stored one level capacity earlier: the outermost private level (L2)
//    holds the last C2 lines stored, the levels inside it the last of theirs,
//    and the LLC, a victim cache, the C3 lines L2 gave up before those;
//  - the line L2 gives up goes to the LLC, whose victim, the oldest line of
//    the window of C2 + C3 lines, is written back (it was stored, so it is
//    dirty) and leaves the hierarchy.
// store_stream then does only what is seen outside the arrays: the
// write-back through mem_side, the residency index, the statistics and the
// observer's events, in the order and at the times store() would. The
// arrays and the directory stay as they were until settle() brings them up
// to date: a way that held the line stored at index j holds the line stored
// at the latest index congruent to j modulo its level's capacity, and each
// set's recency follows the order of the stores.
// Only a non-inclusive LLC (an inclusive one would take every stored line
// too) and cores with one or two private levels, the inner one smaller.
#include <numeric>

#include "models/cache/cache.h"

namespace iocsim::models {

std::optional<StoreStream> Cache::stream_for_geometry() const {
  const Core& core = cores_.front();
  if (config_.inclusive || core.levels.empty() || core.levels.size() > 2) return std::nullopt;
  const CacheArray& outer = core.levels.back();
  // The inner level must lose its lines before the outer one, and the LLC's
  // share of the window must outlast the inner level's warm-up.
  if (core.levels.size() == 2 && (core.levels.front().capacity() >= outer.capacity() ||
                                  core.levels.front().capacity() > llc_.capacity()))
    return std::nullopt;
  uint64_t period = llc_.sets();
  for (const CacheArray& level : core.levels) period = std::lcm(period, level.sets());
  return StoreStream(period, outer.capacity() + llc_.capacity());
}

bool Cache::streamable(uint64_t core, tlm::tlm_generic_payload& trans) {
  const uint64_t first = line_of(trans.get_address());
  if (!stream_ || !stream_->full() || !stream_->continues(core, first)) return false;
  // Every line of the write must be one no level holds.
  const uint64_t end = first + trans.get_data_length() / kLineBytes;
  for (uint64_t line = first; line < end;) {
    const uint64_t page = (line << kLineShift) >> kPageShift;
    const uint64_t page_end = std::min(end, (page + 1) * kLinesPerPage);
    if (const uint64_t* held = page_memo_.find_in(page, page_lines_)) {
      const uint64_t from = line % kLinesPerPage, count = page_end - line;
      const uint64_t mask =
          count == kLinesPerPage ? ~uint64_t{0} : ((uint64_t{1} << count) - 1) << from;
      if (*held & mask) return false;
    }
    line = page_end;
  }
  return true;
}

Picos Cache::store_stream(uint64_t core, tlm::tlm_generic_payload& trans, Picos t) {
  if (!lag_) lag_ = stream_->snapshot();
  const uint64_t first = line_of(trans.get_address());
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  const unsigned char* data = trans.get_data_ptr();
  streamed_lines_ += lines;
  // An observer that does not need the events line by line gets the drops
  // and stores of the whole run at once, after its write-backs, if no line
  // the run stores is also one it drops (a run no longer than the window).
  const bool as_run = observer_ && lines <= stream_->window() && !observer_->needs_line_order();
  if (as_run) {
    run_values_.resize(lines);
    run_dropped_.resize(lines);
  }
  const Picos start = t;
  for (uint64_t i = 0; i < lines; ++i) {
    const uint64_t line = first + i;
    const LineValue value = get_line(data, i);
    ++stats_.store_misses;
    // The LLC's victim: the window's oldest line, dirty, held nowhere else.
    const auto [victim, victim_value] = stream_->take_oldest();
    ++stats_.evictions;
    write_back(victim, victim_value, t);
    if (as_run) {
      unindex(victim);
      run_dropped_[i] = victim << kLineShift;
      run_values_[i] = value;
    } else {
      left(victim, t);
    }
    entered(line);
    stream_->add(core, line, value);
    t += config_.store_line;
    if (observer_ && !as_run) observer_->cpu_store(line << kLineShift, value, t);
  }
  if (as_run)
    observer_->stores_streamed({first << kLineShift, lines, run_values_.data(),
                                run_dropped_.data(), start, config_.store_line});
  return t;
}

void Cache::track_store(uint64_t core, uint64_t line, const LineValue& value, bool fresh) {
  if (!stream_) return;
  if (fresh)
    stream_->add(core, line, value);
  else
    stream_->end();
}

void Cache::settle() {
  if (!lag_) return;
  const StoreStream::Snapshot where = std::move(*lag_);
  lag_.reset();
  const uint64_t length = stream_->length();
  Core& core = cores_[stream_->core()];
  const uint64_t outer_capacity = core.outer().capacity();
  // Each array holds the stream's indexes [end - capacity, end); a way
  // keeps its place and takes the latest index congruent to its own.
  auto catch_up = [&](CacheArray& array, uint64_t end) {
    const uint64_t capacity = array.capacity();
    auto age = [&](uint64_t line) { return (end - 1 - where.index_of(line)) % capacity; };
    array.order_by_age([&](const CacheWay& way) { return age(way.line); });
    array.each_valid([&](size_t, CacheWay& way) {
      const uint64_t index = end - 1 - age(way.line);
      array.fill(way, stream_->line_at(index));
      way.value = stream_->value_at(index);
    });
  };
  const uint64_t bit = uint64_t{1} << stream_->core();
  core.outer().each_valid([&](size_t, CacheWay& way) { holders_.erase(way.line); });
  for (CacheArray& level : core.levels) catch_up(level, length);
  catch_up(llc_, length - outer_capacity);
  core.outer().each_valid([&](size_t, CacheWay& way) { holders_.emplace(way.line, bit); });
}

}  // namespace iocsim::models
