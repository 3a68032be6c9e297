// SPDX-License-Identifier: GPL-2.0-only
#include "host/frame_allocator.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::host {

FrameAllocator::FrameAllocator(uint64_t first_pfn, uint64_t end_pfn)
    : first_(first_pfn), end_(end_pfn) {
  if (end_pfn > first_pfn) {
    free_.emplace(first_pfn, end_pfn - first_pfn);
    free_count_ = end_pfn - first_pfn;
  }
}

bool FrameAllocator::is_free(uint64_t pfn) const {
  auto it = free_.upper_bound(pfn);
  if (it == free_.begin()) return false;
  --it;
  return pfn - it->first < it->second;
}

void FrameAllocator::remove_free(uint64_t pfn, uint64_t count) {
  auto it = std::prev(free_.upper_bound(pfn));
  const uint64_t start = it->first, len = it->second;
  const uint64_t tail = start + len - (pfn + count);
  free_count_ -= count;
  // The run's node is kept for what is left of it (a frame at a time from
  // the front of a run is the common case), so that needs no allocation.
  if (pfn > start) {
    it->second = pfn - start;
    if (tail) free_.emplace_hint(std::next(it), pfn + count, tail);
  } else if (tail) {
    auto node = free_.extract(it++);
    node.key() = pfn + count;
    node.mapped() = tail;
    free_.insert(it, std::move(node));
  } else {
    free_.erase(it);
  }
}

uint64_t FrameAllocator::take_from(uint64_t pfn, uint64_t count, uint64_t want,
                                   std::vector<FrameRun>& out) {
  uint64_t taken = 0;
  const uint64_t end = pfn + count;
  while (taken < want && pfn < end) {
    auto it = free_.upper_bound(pfn);
    if (it != free_.begin() && std::prev(it)->first + std::prev(it)->second > pfn) {
      --it;
    } else if (it == free_.end() || it->first >= end) {
      break;
    }
    const uint64_t from = std::max(pfn, it->first);
    const uint64_t upto = std::min(end, it->first + it->second);
    const uint64_t n = std::min(upto - from, want - taken);
    remove_free(from, n);
    if (!out.empty() && out.back().pfn + out.back().count == from) out.back().count += n;
    else out.push_back({from, n});
    taken += n;
    pfn = from + n;
  }
  return taken;
}

std::optional<std::vector<FrameRun>> FrameAllocator::allocate(uint64_t count) {
  if (count > free_count_) return std::nullopt;
  std::vector<FrameRun> out;
  uint64_t taken = 0;
  while (taken < count && !recent_.empty()) {
    FrameRun run = recent_.back();
    recent_.pop_back();
    const uint64_t n = take_from(run.pfn, run.count, count - taken, out);
    taken += n;
    // Whatever of this run is left (past the last frame taken) stays most recent.
    if (n && out.back().pfn + out.back().count < run.pfn + run.count) {
      const uint64_t rest = out.back().pfn + out.back().count;
      recent_.push_back({rest, run.pfn + run.count - rest});
    }
  }
  while (taken < count) {
    auto it = free_.begin();
    taken += take_from(it->first, it->second, count - taken, out);
  }
  return out;
}

bool FrameAllocator::recently_freed_left() {
  while (!recent_.empty()) {
    const FrameRun run = recent_.back();
    auto it = free_.upper_bound(run.pfn);
    if (it != free_.begin() && std::prev(it)->first + std::prev(it)->second > run.pfn) --it;
    if (it != free_.end() && it->first < run.pfn + run.count) return true;
    recent_.pop_back();  // stale: all of it was allocated since
  }
  return false;
}

std::optional<uint64_t> FrameAllocator::free_region() const {
  const uint64_t frames = kRegionPageblocks * kPageblockFrames;
  for (const auto& [start, len] : free_) {
    const uint64_t aligned = (start + kPageblockFrames - 1) / kPageblockFrames * kPageblockFrames;
    if (aligned + frames <= start + len) return aligned;
  }
  return std::nullopt;
}

std::optional<uint64_t> FrameAllocator::allocate_in_runs(uint64_t run) {
  if (free_count_ == 0) return std::nullopt;
  if (run == 0 || run >= kPageblockFrames || recently_freed_left()) return allocate(1)->front().pfn;
  const uint64_t region_frames = kRegionPageblocks * kPageblockFrames;
  while (true) {
    if (!region_ || region_taken_ == region_frames) {
      region_ = free_region();
      region_taken_ = 0;
      if (!region_) return allocate(1)->front().pfn;  // no region left whole
    }
    const uint64_t i = region_taken_++;
    const uint64_t j = i / run;
    const uint64_t pfn = *region_ + 2 * (j + 1) % kRegionPageblocks * kPageblockFrames +
                         (j * run) % kPageblockFrames + i % run;
    // A frame taken meanwhile by a placed or aligned allocation is skipped.
    if (allocate_at(pfn, 1)) return pfn;
  }
}

std::optional<uint64_t> FrameAllocator::allocate_aligned(uint64_t count) {
  if (count == 0 || (count & (count - 1)) != 0)
    throw std::invalid_argument("aligned allocations are a power of two of frames");
  auto fits = [&](uint64_t start, uint64_t len) -> std::optional<uint64_t> {
    const uint64_t aligned = (start + count - 1) / count * count;
    if (aligned + count <= start + len) return aligned;
    return std::nullopt;
  };
  // Most recently freed first, like everything else.
  for (auto r = recent_.rbegin(); r != recent_.rend(); ++r) {
    for (uint64_t pfn = (r->pfn + count - 1) / count * count; pfn + count <= r->pfn + r->count;
         pfn += count) {
      if (allocate_at(pfn, count)) return pfn;
    }
  }
  for (const auto& [start, len] : free_) {
    if (auto pfn = fits(start, len)) {
      remove_free(*pfn, count);
      return pfn;
    }
  }
  return std::nullopt;
}

bool FrameAllocator::allocate_at(uint64_t pfn, uint64_t count) {
  auto it = free_.upper_bound(pfn);
  if (it == free_.begin()) return false;
  --it;
  if (pfn - it->first >= it->second || it->first + it->second - pfn < count) return false;
  remove_free(pfn, count);
  return true;
}

void FrameAllocator::free(uint64_t pfn, uint64_t count) {
  if (count == 0) return;
  if (pfn < first_ || pfn + count > end_)
    throw std::logic_error("freeing frames the allocator does not manage");
  auto next = free_.lower_bound(pfn);
  if (next != free_.end() && next->first < pfn + count)
    throw std::logic_error("double free of frame " + std::to_string(next->first));
  uint64_t start = pfn, len = count;
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second > pfn)
      throw std::logic_error("double free of frame " + std::to_string(pfn));
    if (prev->first + prev->second == pfn) {
      start = prev->first;
      len += prev->second;
      free_.erase(prev);
    }
  }
  if (next != free_.end() && next->first == pfn + count) {
    len += next->second;
    free_.erase(next);
  }
  free_.emplace(start, len);
  free_count_ += count;
  if (!recent_.empty() && recent_.back().pfn + recent_.back().count == pfn)
    recent_.back().count += count;
  else
    recent_.push_back({pfn, count});
}

}  // namespace iocsim::host
