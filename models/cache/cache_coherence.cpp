// SPDX-License-Identifier: GPL-2.0-only
// The cache hierarchy's coherence: the directory of which cores hold a line,
// moving lines between the private levels, the LLC and memory, and the
// requests that act on every copy (device snoops, cache maintenance).
#include <algorithm>
#include <vector>

#include "models/cache/cache.h"
#include "models/common/line_token.h"

namespace iocsim::models {
namespace {

uint64_t bit(uint64_t core) { return uint64_t{1} << core; }

// Calls fn(core) for every core in `mask`, lowest first.
template <typename Fn>
void for_each_core(uint64_t mask, Fn fn) {
  while (mask) {
    const uint64_t core = static_cast<uint64_t>(__builtin_ctzll(mask));
    mask &= mask - 1;
    fn(core);
  }
}

}  // namespace

uint64_t Cache::holders(uint64_t line) const {
  if (holders_.empty()) return 0;  // no core holds anything: skip the hashing
  auto it = holders_.find(line);
  return it == holders_.end() ? 0 : it->second;
}

bool Cache::held(uint64_t line) const { return llc_.find(line) || holders(line) != 0; }

bool Cache::indexed(uint64_t line) const {
  if (page_lines_.empty()) return false;  // an empty hierarchy: skip the hashing
  const uint64_t* mask = page_memo_.find_in((line << kLineShift) >> kPageShift, page_lines_);
  return mask && (*mask >> (line % kLinesPerPage) & 1);
}

CacheWay* Cache::core_copy(uint64_t core, uint64_t line) {
  Core& c = cores_[core];
  return c.levels.empty() ? nullptr : c.outer().find(line);
}

const CacheWay* Cache::core_copy(uint64_t core, uint64_t line) const {
  return const_cast<Cache*>(this)->core_copy(core, line);
}

Cache::Newest Cache::newest(uint64_t line) {
  Newest n;
  bool found = false;
  for_each_core(holders(line), [&](uint64_t core) {
    const CacheWay* w = core_copy(core, line);
    if (w->dirty || !found) n = {w->value, w->dirty, true};
    found = true;
  });
  if (n.dirty) return n;
  if (const CacheWay* e = llc_.find(line)) n = {e->value, e->dirty, false};
  return n;
}

uint64_t& Cache::index_page(uint64_t page) {
  uint64_t* mask = page_memo_.find_in(page, page_lines_);
  if (!mask) {
    mask = &page_lines_[page];
    page_memo_.remember(page, mask);
    ++block_pages_[page * kLinesPerPage / kIndexBlockLines];
  }
  return *mask;
}

void Cache::unindex_page(uint64_t page) {
  page_lines_.erase(page);
  page_memo_.remember(page, nullptr);
  auto block = block_pages_.find(page * kLinesPerPage / kIndexBlockLines);
  if (--block->second == 0) block_pages_.erase(block);
}

void Cache::entered(uint64_t line) {
  ++lines_entered_;
  index_page((line << kLineShift) >> kPageShift) |= uint64_t{1} << (line % kLinesPerPage);
}

void Cache::left_if_gone(uint64_t line, Picos at) {
  if (!held(line)) left(line, at);
}

void Cache::left(uint64_t line, Picos at) {
  unindex(line);
  if (observer_) observer_->cache_line_dropped(line << kLineShift, at);
}

void Cache::unindex(uint64_t line) {
  const uint64_t page = (line << kLineShift) >> kPageShift;
  uint64_t* mask = page_memo_.find_in(page, page_lines_);  // held until now: it has a record
  *mask &= ~(uint64_t{1} << (line % kLinesPerPage));
  if (*mask == 0) unindex_page(page);
}

void Cache::index_lines(uint64_t first, uint64_t count) {
  lines_entered_ += count;
  for_each_page_mask(first << kLineShift, count, [&](uint64_t page, uint64_t mask) {
    index_page(page) |= mask;
  });
}

void Cache::unindex_lines(uint64_t first, uint64_t count) {
  for_each_page_mask(first << kLineShift, count, [&](uint64_t page, uint64_t mask) {
    uint64_t* held = page_memo_.find_in(page, page_lines_);  // held until now: it has a record
    if ((*held &= ~mask) == 0) unindex_page(page);
  });
}

void Cache::write_back_lines(uint64_t line, uint64_t count, const LineValue& value, Picos at,
                             Picos step) {
  stats_.writebacks += count;
  fill_run_->value = value;
  fill_run_->step = step;
  fill_trans_.set_address(line << kLineShift);
  fill_trans_.set_data_length(count * kLineBytes);
  fill_trans_.set_streaming_width(count * kLineBytes);
  fill_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = from_picos(at - global_picos());
  memory_path_.b_transport(fill_trans_, delay);
  if (fill_trans_.is_response_error())
    throw std::runtime_error(std::string(name()) + ": memory rejected lines from " +
                             std::to_string(line << kLineShift) + " (" +
                             fill_trans_.get_response_string() + ")");
}

Picos Cache::write_back(uint64_t line, const LineValue& value, Picos at) {
  ++stats_.writebacks;
  LineValue v = value;
  return memory(tlm::TLM_WRITE_COMMAND, line << kLineShift, v, at, unattributed_);
}

void Cache::fill_inner(uint64_t core, uint64_t line, const LineValue& value, size_t levels,
                       bool absent) {
  Core& c = cores_[core];
  for (size_t i = 0; i < levels; ++i) {
    CacheWay* w = absent ? nullptr : c.levels[i].find(line);
    if (!w) {
      // An inner level's victim is still in the outer level: nothing to write.
      w = &c.levels[i].victim(line);
      c.levels[i].fill(*w, line);
    }
    w->value = value;
    c.levels[i].touch(*w);
  }
}

void Cache::core_drop(uint64_t core, uint64_t line, CacheWay* outer) {
  Core& c = cores_[core];
  for (size_t i = 0; i + 1 < c.levels.size(); ++i)
    if (CacheWay* w = c.levels[i].find(line)) c.levels[i].invalidate(*w);
  if (!outer) outer = c.outer().find(line);
  if (outer) c.outer().invalidate(*outer);
  auto it = holders_.find(line);
  if (it == holders_.end()) return;
  it->second &= ~bit(core);
  if (it->second == 0) spare_holder_ = holders_.extract(it);
}

uint64_t Cache::drop_cores(uint64_t mask, uint64_t line) {
  for_each_core(mask, [&](uint64_t core) { core_drop(core, line); });
  return static_cast<uint64_t>(__builtin_popcountll(mask));
}

CacheWay& Cache::core_install(uint64_t core, uint64_t line, const LineValue& value, bool dirty,
                              bool exclusive, Picos at) {
  CacheArray& outer = cores_[core].outer();
  CacheWay& way = outer.victim(line);
  if (outer.valid(way)) evict_core_way(core, way, at);
  outer.fill(way, line);
  way.value = value;
  way.dirty = dirty;
  way.exclusive = exclusive;
  outer.touch(way);
  add_holder(line, core);
  return way;
}

void Cache::add_holder(uint64_t line, uint64_t core) {
  auto it = holders_.find(line);
  if (it != holders_.end()) {
    it->second |= bit(core);
  } else if (spare_holder_) {
    spare_holder_.key() = line;
    spare_holder_.mapped() = bit(core);
    holders_.insert(std::move(spare_holder_));
  } else {
    holders_.emplace(line, bit(core));
  }
}

void Cache::evict_core_way(uint64_t core, CacheWay& way, Picos at) {
  const CacheWay victim = way;
  core_drop(core, victim.line, &way);
  // Inclusive: the LLC has the line and takes a Modified copy's data.
  // Non-inclusive: the LLC takes the victim, clean or not. Either way the
  // line stays in the hierarchy, as long as inclusion holds.
  if (config_.inclusive) {
    if (victim.dirty) llc_put(victim.line, victim.value, true, at);
    else left_if_gone(victim.line, at);
  } else {
    llc_put(victim.line, victim.value, victim.dirty, at);
  }
}

CacheWay& Cache::llc_allocate(uint64_t line, Picos at, uint64_t ways) {
  CacheWay& way = llc_.victim(line, ways);
  if (llc_.valid(way)) evict_llc_way(way, at);
  llc_.fill(way, line);
  way.dirty = false;
  return way;
}

void Cache::evict_llc_way(CacheWay& way, Picos at) {
  ++stats_.evictions;
  Newest n{way.value, way.dirty, false};
  if (config_.inclusive) {
    for_each_core(holders(way.line), [&](uint64_t core) {
      const CacheWay* w = core_copy(core, way.line);
      if (w->dirty) n = {w->value, true, true};
      core_drop(core, way.line);
      ++stats_.back_invalidations;
    });
  }
  llc_.invalidate(way);
  if (n.dirty) write_back(way.line, n.value, at);
  if (!holders(way.line)) left(way.line, at);  // (the LLC's was its only copy there)
}

void Cache::llc_put(uint64_t line, const LineValue& value, bool dirty, Picos at) {
  CacheWay* e = llc_.find(line);
  if (!e) {
    e = &llc_allocate(line, at);
    e->value = value;
  } else if (dirty) {
    e->value = value;
  }
  e->dirty = e->dirty || dirty;
  llc_.touch(*e);
}

Picos Cache::shared_read(uint64_t core, uint64_t line, LineValue& out, bool& exclusive,
                         Picos t) {
  t += config_.hit_latency;
  const uint64_t others = holders(line) & ~bit(core);
  exclusive = false;
  // Another core's Exclusive or Modified copy is downgraded to Shared.
  for (uint64_t mask = others; mask; mask &= mask - 1) {
    CacheWay* w = core_copy(static_cast<uint64_t>(__builtin_ctzll(mask)), line);
    if (!w->exclusive) continue;
    ++stats_.core_snoops;
    t += config_.core_snoop;
    out = w->value;
    if (w->dirty) llc_put(line, w->value, true, t);
    w->dirty = w->exclusive = false;
    return t;
  }
  if (CacheWay* e = llc_.find(line)) {
    ++stats_.load_hits;
    llc_.touch(*e);
    out = e->value;
    exclusive = others == 0;
    return t;
  }
  if (others) {
    // Only Shared copies in other cores, none in a non-inclusive LLC.
    ++stats_.core_snoops;
    out = core_copy(static_cast<uint64_t>(__builtin_ctzll(others)), line)->value;
    return t + config_.core_snoop;
  }
  ++stats_.load_misses;
  const uint64_t pa = line << kLineShift;
  t = memory(tlm::TLM_READ_COMMAND, pa, out, t, unattributed_);
  if (config_.inclusive) {
    CacheWay& e = llc_allocate(line, t);
    e.value = out;
    llc_.touch(e);
  }
  entered(line);
  if (observer_) observer_->cache_line_filled(pa, out, t);
  exclusive = true;
  return t;
}

Picos Cache::snoop_reads(tlm::tlm_generic_payload& trans, Picos t) {
  const uint64_t first = trans.get_address();
  const uint64_t length = trans.get_data_length();
  unsigned char* const data = trans.get_data_ptr();
  for (uint64_t offset = 0; offset < length; offset += kLineBytes) {
    const uint64_t pa = first + offset;
    const uint64_t line = line_of(pa);
    t += config_.hit_latency;
    if (indexed(line)) {
      ++stats_.snoop_hits;
      // The LLC answers, unless a core holds the line Modified or only cores hold it.
      const Newest n = newest(line);
      put_line(data + offset, 0, n.value);
      if (n.from_core) t += config_.core_snoop;
      continue;
    }
    // No level holds the line: the snoop filter passes the device's own
    // request for it on to memory, which fills the device's buffer.
    ++stats_.snoop_misses;
    trans.set_address(pa);
    trans.set_data_ptr(data + offset);
    trans.set_data_length(kLineBytes);
    trans.set_streaming_width(kLineBytes);
    t = to_memory(trans, t);
  }
  trans.set_address(first);
  trans.set_data_ptr(data);
  trans.set_data_length(length);
  trans.set_streaming_width(length);
  return t;
}

Picos Cache::snoop_write(uint64_t pa, const LineValue& value, Picos t,
                         const RequestAttributes& attrs) {
  const uint64_t line = line_of(pa);
  const bool was_held = indexed(line);
  stats_.core_invalidations += drop_cores(holders(line), line);
  if (config_.ddio_ways > 0) {
    // DDIO: the write stays in the LLC, dirty, until evicted or flushed.
    CacheWay* e = llc_.find(line);
    if (e) {
      ++stats_.ddio_updates;
    } else {
      ++stats_.ddio_allocations;
      e = &llc_allocate(line, t, config_.ddio_ways);
    }
    if (!was_held) entered(line);
    t += config_.hit_latency;
    llc_.touch(*e);
    e->value = value;
    e->dirty = true;
    if (observer_) observer_->device_write_cached(pa, value, t);
    return t;
  }
  if (was_held) {
    ++stats_.snoop_invalidations;
    if (CacheWay* e = llc_.find(line)) llc_.invalidate(*e);
    left_if_gone(line, t);
  }
  LineValue v = value;
  return memory(tlm::TLM_WRITE_COMMAND, pa, v, t + config_.hit_latency, attrs);
}

Picos Cache::snoop_write_run(tlm::tlm_generic_payload& trans, LineFill& run, Picos t) {
  run.lines_taken = 0;
  if (config_.ddio_ways > 0) return t;
  // Each line reaches memory a lookup after it arrived, as in snoop_write.
  return unheld_to_memory(trans, t, t + config_.hit_latency);
}

Picos Cache::snoop_read_run(tlm::tlm_generic_payload& trans, PacedReads& run, Picos t) {
  run.lines_taken = 0;
  // Each line goes to memory a lookup after it arrived, as in snoop_reads.
  run.added += config_.hit_latency;
  t = unheld_to_memory(trans, t, t);
  run.added -= config_.hit_latency;
  stats_.snoop_misses += run.lines_taken;
  return t;
}

Picos Cache::unheld_to_memory(tlm::tlm_generic_payload& trans, Picos t, Picos at) {
  settle();
  const uint64_t first = line_of(trans.get_address()), length = trans.get_data_length();
  const uint64_t lines = first_held(first, length / kLineBytes) - first;
  if (lines == 0) return t;
  trans.set_data_length(lines * kLineBytes);
  trans.set_streaming_width(lines * kLineBytes);
  t = to_memory(trans, at);
  trans.set_data_length(length);
  trans.set_streaming_width(length);
  return t;
}

Picos Cache::flush_everywhere(uint64_t line, bool invalidate, Picos at, CacheMaintenance& op) {
  if (!indexed(line)) return at;
  ++op.lines_resident;
  const Newest n = newest(line);
  Picos done = at;
  if (n.dirty) {
    ++op.lines_written_back;
    done = write_back(line, n.value, at);
  }
  CacheWay* e = llc_.find(line);
  if (invalidate) {
    drop_cores(holders(line), line);
    if (e) llc_.invalidate(*e);
    left_if_gone(line, at);
  } else {
    for_each_core(holders(line), [&](uint64_t core) { core_copy(core, line)->dirty = false; });
    if (e) {
      e->value = n.value;
      e->dirty = false;
    }
  }
  return done;
}

void Cache::maintain(CacheMaintenance& op, uint64_t pa, Picos at) {
  const Picos looked_up = at + config_.hit_latency;
  const Picos done = flush_everywhere(line_of(pa), info(op.op).invalidates, looked_up, op);
  op.completes_at = std::max({op.completes_at, looked_up, done});
}

void Cache::wbinvd(CacheMaintenance& op, Picos at) {
  ++stats_.wbinvds;
  Picos done = at;
  // The walk visits every way of the array, `wbinvd_line` each, whether or
  // not the array was ever used; returns when it ends.
  auto walk = [&](CacheArray& array, Picos start) {
    array.each_valid([&](size_t i, const CacheWay& way) {
      const Picos reached = start + (i + 1) * config_.wbinvd_line;
      done = std::max(done, flush_everywhere(way.line, info(op.op).invalidates, reached, op));
    });
    return start + array.capacity() * config_.wbinvd_line;
  };
  // Every core walks its own private caches, at the same time; then the LLC.
  Picos cores_walked = at;
  for (Core& core : cores_)
    if (!core.levels.empty()) cores_walked = std::max(cores_walked, walk(core.outer(), at));
  const Picos walked = walk(llc_, cores_walked);
  op.completes_at = std::max({op.completes_at, walked, done});
}

}  // namespace iocsim::models
