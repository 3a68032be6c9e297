// SPDX-License-Identifier: GPL-2.0-only
#include "analysis/oracle.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include <boost/container/flat_set.hpp>
#include <boost/container/small_vector.hpp>

namespace iocsim::analysis {

const HazardKindInfo* hazard_kind_named(std::string_view name) {
  for (const HazardKindInfo& k : kHazardKinds)
    if (k.name == name) return &k;
  return nullptr;
}

std::string counter_label(const CounterInfo& c) {
  if (c.unit.empty()) return std::string(c.label);
  return std::string(c.label) + " (" + std::string(c.unit) + ")";
}

void Oracle::register_device(uint32_t stream_id, OwnerId owner) {
  device_owner_[stream_id] = owner;
}

OwnerId Oracle::owner_of(uint32_t stream) const {
  auto it = device_owner_.find(stream);
  return it == device_owner_.end() ? kNobody : it->second;
}

bool Oracle::discloses(OwnerId data_owner, uint32_t stream) const {
  return data_owner != kNobody && data_owner != owner_of(stream);
}

// (Both inline: every event on a line asks; called out of line they cost
// the 64 MiB touch 60 M instructions.)
inline CachedPage* Oracle::lookup_cached(uint64_t page) const {
  return cached_memo_.find_in(page, cached_);
}

inline CachedPage* Oracle::cached_page(uint64_t page) const {
  if (!streamed_.empty()) const_cast<Oracle*>(this)->settle_streamed();
  return lookup_cached(page);
}

void Oracle::settle_streamed() {
  streamed_.drain([&](const StreamedCopies::Span& s) {
    for_each_page_mask(s.line << kLineShift, s.count, [&](uint64_t page, uint64_t mask) {
      CachedPage& p = cached_page_or_add(page);
      p.set(mask, s.value);
      p.present |= mask;
      p.dirty = s.dirty ? p.dirty | mask : p.dirty & ~mask;
    });
  });
}

inline const LineValue* Oracle::cached(uint64_t pa, bool* dirty) const {
  const CachedPage* p = cached_page(pa >> kPageShift);
  const uint64_t i = (pa >> kLineShift) % kLinesPerPage;
  if (!p || !(p->present >> i & 1)) return nullptr;
  if (dirty) *dirty = p->dirty >> i & 1;
  return &p->value(i);
}

CachedPage& Oracle::cached_page_or_add(uint64_t page) {
  if (CachedPage* p = lookup_cached(page)) return *p;
  CachedPage* p;
  if (spare_cached_.empty()) {
    p = &cached_[page];
  } else {
    spare_cached_.key() = page;
    spare_cached_.mapped() = CachedPage{};
    p = &cached_.insert(std::move(spare_cached_)).position->second;
  }
  cached_memo_.remember(page, p);
  return *p;
}

inline void Oracle::evaluate_line(uint64_t pa, Picos at) {
  // Nothing mapped yet (a guest being faulted in): no call, no hashing.
  if (!exposed_.empty()) evaluate_exposed_line(pa, at);
}

void Oracle::set_cached(uint64_t pa, const LineValue& value, bool dirty) {
  if (!streamed_.empty()) settle_streamed();
  CachedPage& p = cached_page_or_add(pa >> kPageShift);
  const uint64_t bit = uint64_t{1} << ((pa >> kLineShift) % kLinesPerPage);
  p.set(bit, value);
  p.present |= bit;
  p.dirty = dirty ? p.dirty | bit : p.dirty & ~bit;
}

void Oracle::drop_cached(uint64_t pa) {
  const uint64_t page = pa >> kPageShift;
  if (CachedPage* p = cached_page(page))
    drop_cached_lines(page, *p, uint64_t{1} << ((pa >> kLineShift) % kLinesPerPage));
}

void Oracle::drop_cached_lines(uint64_t page, CachedPage& p, uint64_t mask) {
  p.present &= ~mask;
  if (p.present) return;
  spare_cached_ = cached_.extract(page);
  cached_memo_.remember(page, nullptr);
}

LineValue Oracle::newest(uint64_t pa) const { return lines_.get(pa).newest; }

LineValue Oracle::in_memory(uint64_t pa) const { return lines_.get(pa).memory; }

void Oracle::OpenWindow::hit(Picos at) {
  if (hits++ == 0) first_hit = at;
}

Window Oracle::OpenWindow::closed(uint64_t pa, uint64_t size, Picos at, bool open_at_end) const {
  Window w;
  w.kind = kind;
  w.pa = pa;
  w.size = size;
  w.iova = iova;
  w.stream_id = stream;
  w.owner = owner;
  w.start = start;
  w.end = std::max(at, start);
  w.longest = w.end - w.start;
  w.realized_windows = hits > 0;
  w.hits = hits;
  w.first_hit = first_hit;
  // (A device runs ahead within its quantum: an access through a stale
  // IOTLB entry can carry a time before the entry's window opened.)
  w.quickest_hit = hits ? first_hit - std::min(first_hit, start) : 0;
  w.open_at_end = open_at_end;
  return w;
}

void Oracle::cpu_store(uint64_t pa, const LineValue& value, Picos at) {
  LineState s = lines_.get(pa);
  s.newest = value;
  lines_.set(pa, s);
  set_cached(pa, value, true);
  evaluate_line(pa, at);
  // The cache now holds the newest value, so no CPU-side window can open;
  // only one already open can change (close).
  if (!cpu_open_.empty()) evaluate_cpu(line_base(pa), at);
}

void Oracle::stores_streamed(const models::StreamedStores& run) {
  // Asked first, needs_line_order() said nothing is mapped and no CPU-side
  // window is open, and a stream's drops and stores open none: what
  // cache_line_dropped and cpu_store would do comes down to the lines' states.
  if (needs_line_order()) {
    CoherenceObserver::stores_streamed(run);
    return;
  }
  // The drops: the oldest copies, streamed_'s, or (copies cached before
  // the stream's runs began, older still) cached_'s.
  for (const models::LineSpan* span = run.dropped; span < run.dropped + run.dropped_spans;
       ++span) {
    uint64_t line = span->pa >> kLineShift;
    const uint64_t end = line + span->lines;
    while (line < end) {
      if (const uint64_t n = streamed_.leading(line, end - line)) {
        streamed_.drop_oldest(n);
        line += n;
        continue;
      }
      uint64_t stop = end;
      if (!streamed_.empty() && streamed_.oldest_line() > line)
        stop = std::min(end, streamed_.oldest_line());
      if (streamed_.may_hold(line, stop)) settle_streamed();
      for_each_page_mask(line << kLineShift, stop - line, [&](uint64_t page, uint64_t mask) {
        if (CachedPage* p = lookup_cached(page)) drop_cached_lines(page, *p, mask);
      });
      line = stop;
    }
  }
  lines_.update_range(run.first, run.count,
                      [&](const LineState& s) { return LineState{run.value, s.memory}; });
  // The stores: lines no cache held (a stream's), so in neither cached_ nor streamed_.
  streamed_.add(run.first >> kLineShift, run.count, run.value);
}

void Oracle::device_write_cached(uint64_t pa, const LineValue& value, Picos at) {
  // Like a CPU store: the newest value, dirty in the cache, DRAM older.
  cpu_store(pa, value, at);
}

void Oracle::cpu_load(uint64_t pa, const LineValue& value, Picos at) {
  if (value.version >= newest(pa).version) return;
  ++counts_.stale_cpu_reads;
  auto it = cpu_open_.find({static_cast<uint32_t>(HazardKind::stale_cpu_read), line_base(pa)});
  if (it != cpu_open_.end()) it->second.hit(at);
  else ++realized_outside_;
}

void Oracle::cache_line_filled(uint64_t pa, const LineValue& value, Picos at) {
  set_cached(pa, value, false);
  evaluate_line(pa, at);
  evaluate_cpu(line_base(pa), at);
}

void Oracle::cache_line_dropped(uint64_t pa, Picos at) {
  drop_cached(pa);
  evaluate_line(pa, at);
  // With no cached copy, evaluate_cpu can only close a window already open.
  if (!cpu_open_.empty()) evaluate_cpu(line_base(pa), at);
}

void Oracle::memory_write(uint64_t pa, const LineValue& value, models::MemoryWriter who,
                          Picos at) {
  const uint64_t base = line_base(pa);
  LineState s = lines_.get(pa);
  const LineValue* c = cached(base);
  if (who == models::MemoryWriter::writeback) {
    // A write-back of older data over what a device wrote: the device's data is lost.
    if (s.memory.version > value.version) {
      ++counts_.lost_writes;
      auto it = cpu_open_.find({static_cast<uint32_t>(HazardKind::lost_write), base});
      if (it != cpu_open_.end()) it->second.hit(at);
      else ++realized_outside_;
    }
    // (Cleaning the copy can free the array `c` points into.)
    if (c && *c == value) {
      set_cached(base, value, false);
      c = cached(base);
    }
  }
  s.memory = value;
  if (value.version > s.newest.version) s.newest = value;
  lines_.set(pa, s);
  evaluate_line(pa, at);
  // evaluate_cpu can change something only for a cached copy older than the
  // newest value, or with a CPU-side window open (a write-back, mostly: neither).
  if (!cpu_open_.empty() || (c && c->version < s.newest.version)) evaluate_cpu(base, at);
}

void Oracle::memory_filled(uint64_t pa, uint64_t lines, const LineValue& value,
                           models::MemoryWriter who, Picos at) {
  // Shown only while needs_line_order() is false: nothing is mapped and no
  // CPU-side window is open, so every cached copy is as new as its line. If
  // the write leaves none older than the newest value (a write-back of the
  // copies themselves does not), no window opens, and what memory_write
  // would do per line comes down to the lines' states, the lost writes it
  // counts (outside any window) and the copies it cleans: a piece of one
  // state, or a cached page, at a time.
  //
  // The range's copies are streamed_'s [in_stream, in_stream + n), the
  // skip-th oldest on (a stream's victims, whose drops come after their
  // write-backs), cached_'s elsewhere; if streamed_ may hold any of those
  // elsewhere, its copies go to cached_ first.
  const uint64_t first = pa >> kLineShift, end = first + lines;
  uint64_t in_stream = end, n = 0, skip = 0;
  if (!streamed_.empty()) {
    const uint64_t oldest = streamed_.oldest_line();
    const uint64_t from = std::max(first, oldest);
    if (from < end) {
      // The oldest lines in order, as far as the range reaches.
      const uint64_t run = streamed_.leading(oldest, end - oldest);
      if (from < oldest + run) {
        in_stream = from;
        skip = from - oldest;
        n = oldest + run - from;
      }
    }
  }
  if (streamed_.may_hold(first, in_stream) || streamed_.may_hold(in_stream + n, end)) {
    settle_streamed();
    in_stream = end;
    n = 0;
  }
  auto each_cached_part = [&](auto fn) {
    for_each_page_mask(first << kLineShift, in_stream - first, fn);
    for_each_page_mask((in_stream + n) << kLineShift, end - in_stream - n, fn);
  };
  // A copy older than `value` would be hidden by it: a window would open.
  bool hides_a_copy = false;
  streamed_.each_leading(skip, n, [&](const StreamedCopies::Span& s, uint64_t) {
    hides_a_copy = hides_a_copy || s.value.version < value.version;
  });
  each_cached_part([&](uint64_t page, uint64_t mask) {
    const CachedPage* p = hides_a_copy ? nullptr : lookup_cached(page);
    if (!p || !(p->present & mask)) return;
    if (p->uniform()) {
      hides_a_copy = p->value(0).version < value.version;
      return;
    }
    for (uint64_t bits = p->present & mask; bits && !hides_a_copy; bits &= bits - 1)
      hides_a_copy = p->value(__builtin_ctzll(bits)).version < value.version;
  });
  if (needs_line_order() || hides_a_copy) {
    CoherenceObserver::memory_filled(pa, lines, value, who, at);
    return;
  }
  const bool writeback = who == models::MemoryWriter::writeback;
  if (writeback) {
    lines_.for_each_piece(pa, lines, [&](uint64_t, uint64_t pieces, const LineState& s) {
      if (s.memory.version > value.version) {
        counts_.lost_writes += pieces;
        realized_outside_ += pieces;
      }
    });
    // The copies written back are clean now.
    streamed_.clean_leading(skip, n, value);
    each_cached_part([&](uint64_t page, uint64_t mask) {
      CachedPage* p = lookup_cached(page);
      if (!p) return;
      if (p->all(value)) {
        p->dirty &= ~mask;
        return;
      }
      for (uint64_t bits = p->present & mask; bits; bits &= bits - 1) {
        const uint64_t i = static_cast<uint64_t>(__builtin_ctzll(bits));
        if (p->value(i) == value) p->dirty &= ~(uint64_t{1} << i);
      }
    });
  }
  lines_.update_range(pa, lines, [&](const LineState& s) {
    return LineState{value.version > s.newest.version ? value : s.newest, value};
  });
}

void Oracle::device_access(const models::DeviceAccess& access) {
  if (access.stale_translation) {
    ++counts_.stale_iotlb_accesses;
    auto it = stale_entries_.upper_bound({access.domain, access.iova});
    const bool covered = it != stale_entries_.begin() &&
                         (--it)->first.first == access.domain &&
                         access.iova - it->first.second < it->second.size;
    if (covered) {
      // The window names whose data its first access read.
      OpenWindow& w = it->second.window;
      if (w.hits == 0) w.owner = access.value.owner;
      w.hit(access.at);
    } else {
      ++realized_outside_;
    }
  }
  if (access.write) {
    // The memory write it caused (or, with DDIO, its landing in the cache)
    // has been shown already; name the writer of any CPU-side window that
    // write opened or extended.
    device_writes_.set(access.pa, {access.stream_id, access.iova - access.pa});
    for (HazardKind kind : {HazardKind::stale_cpu_read, HazardKind::lost_write}) {
      auto it = cpu_open_.find({static_cast<uint32_t>(kind), access.pa});
      if (it == cpu_open_.end()) continue;
      it->second.stream = access.stream_id;
      it->second.iova = access.iova;
    }
    return;
  }
  const bool disclosed = discloses(access.value.owner, access.stream_id);
  if (disclosed) ++counts_.disclosures;
  const bool stale = access.value.version < newest(access.pa).version;
  if (!stale && !disclosed) return;
  if (stale) {
    ++counts_.stale_device_reads;
    if (disclosed) ++counts_.leaks;
  }
  auto it = open_.find({access.stream_id, access.pa});
  // A stale read hits its line's stale_device_read or leak window, a read of
  // another principal's newest data its disclosure window.
  if (it != open_.end() && (it->second.kind == HazardKind::disclosure) == !stale)
    it->second.hit(access.at);
  else
    ++realized_outside_;
}

uint64_t Oracle::takes_device_write_run(const models::DeviceWriteRun& run) const {
  // Each line's memory_write and device_access would leave its DRAM holding
  // its newest value, with no cached copy, and change no window, whenever:
  // the line has no newer value than the run's, no cached copy (it would be
  // hidden: a CPU-side window) and no CPU-side window, and no device that
  // reaches it has a window open on it or would be shown another principal's
  // data (a disclosure window). Then all that changes is the line's state and
  // writer, whatever its time. The run's lines up to the first that fails.
  const uint64_t first = line_base(run.pa);
  uint64_t end = first + run.lines * kLineBytes;
  auto stop_at = [&](uint64_t pa) { end = std::min(end, pa); };
  lines_.for_each_piece(first, run.lines, [&](uint64_t pa, uint64_t, const LineState& s) {
    if (s.newest.version > run.value.version) stop_at(pa);
  });
  for_each_page_mask(first, run.lines, [&](uint64_t page, uint64_t mask) {
    const CachedPage* p = (page << kPageShift) < end ? cached_page(page) : nullptr;
    if (p && (p->present & mask))
      stop_at((page << kPageShift) +
              static_cast<uint64_t>(__builtin_ctzll(p->present & mask)) * kLineBytes);
  });
  auto stop_at_open = [&](const OpenWindows& open, uint32_t key) {
    auto it = open.lower_bound({key, first});
    if (it != open.end() && it->first.first == key && it->first.second < end)
      stop_at(it->first.second);
  };
  for (HazardKind kind : {HazardKind::stale_cpu_read, HazardKind::lost_write})
    stop_at_open(cpu_open_, static_cast<uint32_t>(kind));
  // (A device has windows only on pages it reaches.)
  boost::container::small_flat_set<uint32_t, 8> seen;
  for (uint64_t page = first >> kPageShift; (page << kPageShift) < end; ++page)
    exposed_.for_page(page, [&](const Exposures::Reach& e) {
      auto d = domains_.find(e.domain);
      if (d == domains_.end()) return false;
      for (uint32_t stream : d->second.devices) {
        if (discloses(run.value.owner, stream)) {
          stop_at(std::max(first, page << kPageShift));
          return true;
        }
        if (seen.insert(stream).second) stop_at_open(open_, stream);
      }
      return false;
    });
  return (end - first) / kLineBytes;
}

uint64_t Oracle::takes_device_read_run(const models::DeviceReadRun& run) const {
  // A line read from DRAM (directly, or past caches that hold none of the
  // run) returns what DRAM holds: if that is its newest value and not another
  // principal's, its device_access counts nothing and hits no window, at
  // whatever time. The run's lines up to the first that fails.
  const uint64_t first = line_base(run.pa);
  uint64_t end = first + run.lines * kLineBytes;
  lines_.for_each_piece(first, run.lines, [&](uint64_t pa, uint64_t, const LineState& s) {
    if (s.memory.version < s.newest.version || discloses(s.memory.owner, run.stream_id))
      end = std::min(end, pa);
  });
  return (end - first) / kLineBytes;
}

void Oracle::device_write_run(const models::DeviceWriteRun& run, Picos) {
  lines_.update_range(run.pa, run.lines, [&](const LineState& s) {
    return LineState{run.value.version > s.newest.version ? run.value : s.newest, run.value};
  });
  device_writes_.set_range(run.pa, run.lines, {run.stream_id, run.iova - run.pa});
}

void Oracle::device_nosnoop_capability(uint32_t stream_id, bool capable, Picos at) {
  if (capable) no_nosnoop_.erase(stream_id);
  else no_nosnoop_.insert(stream_id);
  for (const auto& [id, d] : domains_)
    if (d.devices.count(stream_id))
      exposed_.for_domain_pages(id, [&](uint64_t page) { evaluate_page(page, stream_id, at); });
}

void Oracle::translation_fault(uint32_t, uint64_t, bool, Picos) { ++counts_.iommu_faults; }

void Oracle::domain_created(uint32_t domain) { domains_[domain]; }

void Oracle::coherency_enforced(uint32_t domain, Picos at) {
  domains_[domain].coherent = true;
  evaluate_domain(domain, at);
}

void Oracle::domain_destroyed(uint32_t domain, Picos) { domains_.erase(domain); }

void Oracle::device_attached(uint32_t domain, uint32_t stream_id, Picos at) {
  domains_[domain].devices.insert(stream_id);
  exposed_.for_domain_pages(domain, [&](uint64_t page) { evaluate_page(page, stream_id, at); });
}

void Oracle::device_detached(uint32_t domain, uint32_t stream_id, Picos at) {
  domains_[domain].devices.erase(stream_id);
  exposed_.for_domain_pages(domain, [&](uint64_t page) { evaluate_page(page, stream_id, at); });
}

void Oracle::translation_mapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                                bool readable, bool, Picos at) {
  exposed_.add(domain, iova, pa, size, readable);
  evaluate_range(domains_[domain], pa, size, at);
}

void Oracle::translation_unmapped(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                                  Picos at) {
  exposed_.remove(domain, iova, pa, size);
  evaluate_range(domains_[domain], pa, size, at);
}

void Oracle::iotlb_entry_stale(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size,
                               bool readable, Picos at) {
  auto d = domains_.find(domain);
  const uint32_t stream =
      d != domains_.end() && !d->second.devices.empty() ? *d->second.devices.begin() : 0;
  stale_entries_[{domain, iova}] = {
      OpenWindow{HazardKind::stale_iotlb_access, newest(pa).owner, stream, iova, at}, pa, size};
  // Devices reach the page through the entry as they did through the mapping.
  translation_mapped(domain, iova, pa, size, readable, true, at);
}

void Oracle::iotlb_entry_dropped(uint32_t domain, uint64_t iova, Picos at) {
  auto it = stale_entries_.find({domain, iova});
  if (it != stale_entries_.end()) close_stale_entry(it, at, false);
}

void Oracle::close_stale_entry(std::map<std::pair<uint32_t, uint64_t>, StaleEntry>::iterator it,
                               Picos at, bool open_at_end) {
  const auto [domain, iova] = it->first;
  const StaleEntry e = it->second;
  stale_entries_.erase(it);
  windows_.add(e.window.closed(e.pa, e.size, at, open_at_end));
  if (!open_at_end) translation_unmapped(domain, iova, e.pa, e.size, at);
}

Oracle::OpenWindows::iterator Oracle::evaluate(uint64_t line_pa, uint32_t stream, Picos at,
                                               OpenWindows::iterator hint) {
  // The two ways a device read can return stale data: a No-Snoop read in a
  // domain that does not enforce coherency reads DRAM, and a snooped read (in
  // any domain) returns the CPU's cached copy if there is one, else DRAM.
  // (A line never written is in the default state, which is stale to nobody.)
  // A read that returns the newest data discloses them if they are another
  // principal's.
  const LineState s = lines_.get(line_pa);
  std::optional<LineValue> direct, snooped;
  if (s.memory.version < s.newest.version && !no_nosnoop_.count(stream)) direct = s.memory;
  const LineValue* c = cached(line_pa);
  const LineValue& via_cache = c ? *c : s.memory;
  if (via_cache.version < s.newest.version) snooped = via_cache;
  const bool newest_disclosed = discloses(s.newest.owner, stream);
  std::optional<LineValue> stale;
  std::optional<uint64_t> stale_iova, newest_iova;
  if (direct || snooped || newest_disclosed) {
    exposed_.for_page(line_pa >> kPageShift, [&](const Exposures::Reach& e) {
      auto d = domains_.find(e.domain);
      if (!e.readable || d == domains_.end() || !d->second.devices.count(stream)) return false;
      const uint64_t iova = e.iova + (line_pa & (kPageBytes - 1));
      const bool bypasses_cache = direct && !d->second.coherent;
      if (!bypasses_cache && !snooped) {
        if (!newest_iova) newest_iova = iova;
        return false;
      }
      stale = bypasses_cache ? direct : snooped;
      stale_iova = iova;
      return true;
    });
  }
  const std::pair<uint32_t, uint64_t> key{stream, line_pa};
  const bool hinted = (hint == open_.end() || !(hint->first < key)) &&
                      (hint == open_.begin() || std::prev(hint)->first < key);
  auto it = hinted ? hint : open_.lower_bound(key);
  const bool open = it != open_.end() && it->first == key;
  if (!stale && !(newest_disclosed && newest_iova)) return open ? close(open_, it, at, false) : it;
  const OwnerId owner = stale ? stale->owner : s.newest.owner;
  const HazardKind kind = !stale                         ? HazardKind::disclosure
                          : discloses(owner, stream) ? HazardKind::leak
                                                     : HazardKind::stale_device_read;
  const uint64_t iova = stale ? *stale_iova : *newest_iova;
  if (open) {
    if (it->second.kind == kind && it->second.owner == owner) return std::next(it);
    it = close(open_, it, at, false);
  }
  return std::next(open_.emplace_hint(it, key, OpenWindow{kind, owner, stream, iova, at}));
}

void Oracle::evaluate_cpu(uint64_t line_pa, Picos at) {
  bool dirty = false;
  const LineValue* c = cached(line_pa, &dirty);
  // Without a cached copy neither window can be open; with none open
  // either, there is nothing to close (a line leaving the cache, mostly).
  if (!c && cpu_open_.empty()) return;
  const LineState s = lines_.get(line_pa);
  const bool hidden = c && c->version < s.newest.version;
  if (!hidden && cpu_open_.empty()) return;  // (a doomed line is hidden)
  const bool doomed = hidden && dirty && c->version < s.memory.version;
  set_cpu_window(line_pa, HazardKind::stale_cpu_read, hidden, hidden ? s.newest.owner : 0, at);
  set_cpu_window(line_pa, HazardKind::lost_write, doomed, doomed ? s.memory.owner : 0, at);
}

void Oracle::set_cpu_window(uint64_t line_pa, HazardKind kind, bool open, OwnerId owner,
                            Picos at) {
  if (!open && cpu_open_.empty()) return;  // the common case: nothing to close, no lookup
  const std::pair<uint32_t, uint64_t> key{static_cast<uint32_t>(kind), line_pa};
  auto it = cpu_open_.lower_bound(key);
  const bool is_open = it != cpu_open_.end() && it->first == key;
  if (!open) {
    if (is_open) close(cpu_open_, it, at, false);
    return;
  }
  if (is_open) {
    if (it->second.owner == owner) return;
    it = close(cpu_open_, it, at, false);
  }
  const DeviceWrite w = device_writes_.get(line_pa);
  const uint64_t iova = w.stream ? line_pa + w.iova_offset : 0;
  cpu_open_.emplace_hint(it, key, OpenWindow{kind, owner, w.stream, iova, at});
}

void Oracle::evaluate_exposed_line(uint64_t pa, Picos at) {
  // (On the stack: a line's devices are a handful, and a std::set allocated
  // a node per device on every event of a mapped line.)
  boost::container::small_flat_set<uint32_t, 8> streams;
  exposed_.for_page(pa >> kPageShift, [&](const Exposures::Reach& e) {
    auto d = domains_.find(e.domain);
    if (d != domains_.end()) streams.insert(d->second.devices.begin(), d->second.devices.end());
    return false;
  });
  if (streams.empty()) return;  // nothing can reach the page: no window to change
  for (uint32_t stream : streams) evaluate(line_base(pa), stream, at);
}

void Oracle::evaluate_page(uint64_t page, uint32_t stream, Picos at) {
  // A page whose lines DRAM holds as they were last written, with no cached
  // copy, has nothing stale, and nothing to disclose if the data are nobody's
  // or the device's owner's; with no window open for the stream either, no
  // line's evaluation could change anything (mapping a settled guest).
  const std::optional<LineState> whole = lines_.whole_page(page);
  if (whole && whole->memory == whole->newest && !cached_page(page) &&
      !discloses(whole->newest.owner, stream)) {
    const uint64_t first = page << kPageShift;
    auto open = open_.lower_bound({stream, first});
    if (open == open_.end() || open->first.first != stream ||
        open->first.second >= first + kPageBytes)
      return;
  }
  auto hint = open_.end();
  for (uint64_t i = 0; i < kLinesPerPage; ++i)
    hint = evaluate((page << kPageShift) + i * kLineBytes, stream, at, hint);
}

void Oracle::evaluate_range(const Domain& d, uint64_t pa, uint64_t size, Picos at) {
  for (uint64_t off = 0; off < size; off += kPageBytes)
    for (uint32_t stream : d.devices) evaluate_page((pa + off) >> kPageShift, stream, at);
}

void Oracle::evaluate_domain(uint32_t domain, Picos at) {
  const Domain& d = domains_[domain];
  exposed_.for_domain_pages(domain, [&](uint64_t page) {
    for (uint32_t stream : d.devices) evaluate_page(page, stream, at);
  });
}

Oracle::OpenWindows::iterator Oracle::close(OpenWindows& from, OpenWindows::iterator it,
                                            Picos at, bool open_at_end) {
  const Window w = it->second.closed(it->first.second, kLineBytes, at, open_at_end);
  const OpenWindows::iterator next = from.erase(it);
  windows_.add(w);
  return next;
}

void Oracle::close_all(OpenWindows& from, Picos at) {
  // One pass and one clear: erasing the windows one by one would rebalance
  // the tree for each (a guest's worth of lines, at the end of a run).
  for (const auto& [key, open] : from)
    windows_.add(open.closed(key.second, kLineBytes, at, true));
  from.clear();
}

void Oracle::finish(Picos at) {
  while (!stale_entries_.empty()) close_stale_entry(stale_entries_.begin(), at, true);
  close_all(open_, at);
  close_all(cpu_open_, at);
  windows_.finish();
}

Picos Oracle::max_window() const {
  Picos longest = 0;
  for (const Window& run : windows_.runs()) longest = std::max(longest, run.longest);
  return longest;
}

}  // namespace iocsim::analysis
