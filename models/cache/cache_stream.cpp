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
// store_stream then does only what is seen outside the cache: the
// write-back through mem_side, the statistics and the observer's events, in
// the order and at the times store() would; for an observer that does not
// need line order, a run at a time: the victims' write-backs as one
// LineFill per span of consecutive lines of one value, then the run's drops
// and stores as one event. The arrays, the directory and the residency
// index stay as they were until settle() brings them up to date: a way
// that held the line stored at index j holds the line stored at the latest
// index congruent to j modulo its level's capacity, each set's recency
// follows the order of the stores, and the index holds the window's lines.
// Only a non-inclusive LLC (an inclusive one would take every stored line
// too) and cores with one or two private levels, the inner one smaller.
#include <algorithm>
#include <numeric>
#include <vector>

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

bool Cache::streamable(uint64_t core, uint64_t first, uint64_t lines) {
  if (!stream_ || !stream_->full() || !stream_->continues(core, first)) return false;
  // Every line must be one no level holds. While the index lags, a line the
  // stream stored since may still be held: the lines must lie apart from
  // those (or the index is brought up to date, and they are stored one by one).
  if (lag_ && boost::icl::intersects(
                  lag_lines_, boost::icl::interval<uint64_t>::right_open(first, first + lines)))
    return false;
  return first_held(first, lines) == first + lines;
}

uint64_t Cache::first_held(uint64_t first, uint64_t lines) const {
  const uint64_t end = first + lines;
  for (uint64_t line = first; line < end;) {
    const uint64_t block_end = std::min(end, (line / kIndexBlockLines + 1) * kIndexBlockLines);
    uint64_t held_line = block_end;
    if (block_pages_.count(line / kIndexBlockLines))
      for_each_page_mask(line << kLineShift, block_end - line, [&](uint64_t page, uint64_t mask) {
        const uint64_t* held =
            held_line == block_end ? page_memo_.find_in(page, page_lines_) : nullptr;
        if (held && (*held & mask))
          held_line = page * kLinesPerPage +
                      static_cast<uint64_t>(__builtin_ctzll(*held & mask));
      });
    if (held_line < block_end) return held_line;
    line = block_end;
  }
  return end;
}

Picos Cache::store_stream(uint64_t core, uint64_t first, uint64_t lines, const LineValue& value,
                          Picos t) {
  if (!lag_) {
    lag_ = stream_->snapshot();
    lag_start_ = stream_->length();
    lag_lines_.clear();
  }
  lag_lines_ += boost::icl::interval<uint64_t>::right_open(first, first + lines);
  streamed_lines_ += lines;
  const Picos step = config_.store_line;
  stats_.store_misses += lines;
  stats_.evictions += lines;  // each store's LLC victim: the window's oldest line
  if (!observer_ || observer_->needs_line_order()) {
    // Each line's events in turn: the victim's write-back and drop, the store.
    for (uint64_t i = 0; i < lines; ++i) {
      const uint64_t line = first + i;
      const auto [victim, victim_value] = stream_->take_oldest();
      write_back(victim, victim_value, t);
      if (observer_) observer_->cache_line_dropped(victim << kLineShift, t);
      stream_->add(core, line, value);
      t += step;
      if (observer_) observer_->cpu_store(line << kLineShift, value, t);
    }
    return t;
  }
  // Runs of at most a window, so that no line a run stores is also one it
  // drops: the write-backs of each run's victims (consecutive lines of one
  // value at a time), then its drops and stores at once.
  for (uint64_t done = 0; done < lines;) {
    const uint64_t count = std::min(lines - done, stream_->window());
    run_dropped_.clear();
    for (uint64_t k = 0; k < count;) {
      const StoreStream::Lines victims = stream_->take_oldest_lines(count - k);
      write_back_lines(victims.line, victims.count, victims.value, t + k * step, step);
      run_dropped_.push_back({victims.line << kLineShift, victims.count});
      k += victims.count;
    }
    const uint64_t line = first + done;
    stream_->add_lines(core, line, count, value);
    observer_->stores_streamed({line << kLineShift, count, value, run_dropped_.data(),
                                run_dropped_.size(), t, step});
    t += count * step;
    done += count;
  }
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
  // keeps its place and takes the latest index congruent to its own. The
  // ways are taken one position of every set at a time: the stream filled
  // the sets one after the next, so one position holds consecutive lines set
  // after set, and one lookup after another lands in the snapshot's range
  // and the stream's run the last one found (the ways of one set are a lap
  // of the sets apart).
  std::vector<CacheWay*> ways;
  std::vector<uint64_t> ages;
  auto catch_up = [&](CacheArray& array, uint64_t end) {
    const uint64_t capacity = array.capacity(), sets = array.sets(), assoc = capacity / sets;
    ways.assign(capacity, nullptr);
    array.each_valid([&](size_t i, CacheWay& way) { ways[i] = &way; });
    auto across_sets = [&](auto fn) {
      for (uint64_t w = 0; w < assoc; ++w)
        for (uint64_t set = 0; set < sets; ++set)
          if (CacheWay* way = ways[set * assoc + w]) fn(set * assoc + w, *way);
    };
    ages.assign(capacity, 0);
    across_sets([&](size_t i, const CacheWay& way) {
      ages[i] = (end - 1 - where.index_of(way.line)) % capacity;
    });
    array.order_by_age([&](size_t i) { return ages[i]; });
    across_sets([&](size_t i, CacheWay& way) {
      const uint64_t index = end - 1 - ages[i];
      array.fill(way, stream_->line_at(index));
      way.value = stream_->value_at(index);
    });
  };
  // The index: the lines the window held when it began to lag that have
  // left since (indexes below length - window) go; the lines stored since
  // that the window still holds come in.
  const uint64_t gone = length - stream_->window();
  where.for_each([&](uint64_t line, uint64_t count, uint64_t first) {
    if (first < gone) unindex_lines(line, std::min(count, gone - first));
  });
  stream_->for_each_since(std::max(lag_start_, gone),
                          [&](uint64_t line, uint64_t count) { index_lines(line, count); });
  const uint64_t bit = uint64_t{1} << stream_->core();
  core.outer().each_valid([&](size_t, CacheWay& way) { holders_.erase(way.line); });
  for (CacheArray& level : core.levels) catch_up(level, length);
  catch_up(llc_, length - outer_capacity);
  core.outer().each_valid([&](size_t, CacheWay& way) { holders_.emplace(way.line, bit); });
}

}  // namespace iocsim::models
