// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/cache.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {
namespace {

Picos now_plus(const sc_core::sc_time& delay) {
  return to_picos(sc_core::sc_time_stamp() + delay);
}

}  // namespace

void CacheConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::size("llc.size", "cache capacity", kLineBytes));
  catalog.declare(Spec::count("llc.ways", "associativity", 1, 1024));
  catalog.declare(Spec::duration("llc.hit_latency", "load-to-use latency of a hit"));
  catalog.declare(Spec::duration("llc.store_line",
                                 "CPU store throughput: time to store one 64-byte line"));
  catalog.declare(Spec::duration("llc.wbinvd_line", "wbinvd walk time per line of capacity"));
  catalog.declare(Spec::count("llc.ddio_ways",
                              "ways coherent device writes allocate into, as Intel DDIO does "
                              "(0: they invalidate and go to memory)",
                              0, 1024));
}

CacheConfig CacheConfig::from(const params::Set& set) {
  return {set.size("llc.size"),          set.count("llc.ways"),
          set.picos("llc.hit_latency"),  set.picos("llc.store_line"),
          set.picos("llc.wbinvd_line"),  set.count("llc.ddio_ways")};
}

Cache::Cache(sc_core::sc_module_name name, const CacheConfig& config,
             CoherenceObserver* observer)
    : sc_module(name),
      cpu_side("cpu_side"),
      snoop_side("snoop_side"),
      mem_side("mem_side"),
      config_(config),
      observer_(observer),
      mem_attrs_(new RequestAttributes) {
  const uint64_t lines = config.size / kLineBytes;
  if (config.ways == 0 || lines % config.ways != 0 || config.size % kLineBytes != 0)
    throw std::invalid_argument(std::string(basename()) +
                                ": size must be a whole number of lines per way");
  sets_ = lines / config.ways;
  entries_.resize(lines);
  cpu_side.register_b_transport(this, &Cache::cpu_transport);
  snoop_side.register_b_transport(this, &Cache::snoop_transport);
  mem_trans_.set_data_ptr(mem_data_);
  mem_trans_.set_data_length(kLineBytes);
  mem_trans_.set_streaming_width(kLineBytes);
  mem_trans_.set_extension(mem_attrs_);
}

bool Cache::whole_lines(tlm::tlm_generic_payload& trans) {
  if (trans.get_data_length() == 0 || trans.get_address() % kLineBytes != 0 ||
      trans.get_data_length() % kLineBytes != 0 || trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  return true;
}

Cache::Entry* Cache::find(uint64_t line) {
  Entry* set = &entries_[(line % sets_) * config_.ways];
  for (uint64_t w = 0; w < config_.ways; ++w)
    if (set[w].valid && set[w].line == line) return &set[w];
  return nullptr;
}

const Cache::Entry* Cache::find(uint64_t line) const {
  return const_cast<Cache*>(this)->find(line);
}

bool Cache::resident(uint64_t pa) const { return find(line_of(pa)) != nullptr; }

bool Cache::dirty(uint64_t pa) const {
  const Entry* e = find(line_of(pa));
  return e && e->dirty;
}

Cache::Entry& Cache::allocate(uint64_t line, Picos at, uint64_t ways) {
  Entry* set = &entries_[(line % sets_) * config_.ways];
  Entry* victim = &set[0];
  const uint64_t candidates = ways == 0 ? config_.ways : std::min(ways, config_.ways);
  for (uint64_t w = 0; w < candidates; ++w) {
    if (!set[w].valid) {
      victim = &set[w];
      break;
    }
    if (set[w].lru < victim->lru) victim = &set[w];
  }
  if (victim->valid) {
    ++stats_.evictions;
    if (victim->dirty) write_back(*victim, at);
    drop(*victim, at);
  }
  victim->valid = true;
  victim->dirty = false;
  victim->line = line;
  ++page_lines_[(line << kLineShift) >> kPageShift];
  return *victim;
}

uint64_t Cache::lines_in_page(uint64_t page_pa) const {
  auto it = page_lines_.find(page_pa >> kPageShift);
  return it == page_lines_.end() ? 0 : it->second;
}

Picos Cache::memory(tlm::tlm_command cmd, uint64_t pa, LineValue& value, Picos at,
                    const RequestAttributes& attrs) {
  *mem_attrs_ = attrs;
  mem_trans_.set_command(cmd);
  mem_trans_.set_address(pa);
  mem_trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (cmd == tlm::TLM_WRITE_COMMAND) put_line(mem_data_, 0, value);
  sc_core::sc_time delay = from_picos(at) - sc_core::sc_time_stamp();
  mem_side->b_transport(mem_trans_, delay);
  if (mem_trans_.is_response_error())
    throw std::runtime_error(std::string(name()) + ": memory rejected line " +
                             std::to_string(pa) + " (" + mem_trans_.get_response_string() + ")");
  if (cmd == tlm::TLM_READ_COMMAND) value = get_line(mem_data_, 0);
  return now_plus(delay);
}

void Cache::drop(Entry& e, Picos at) {
  e.valid = false;
  auto page = page_lines_.find((e.line << kLineShift) >> kPageShift);
  if (--page->second == 0) page_lines_.erase(page);
  if (observer_) observer_->cache_line_dropped(e.line << kLineShift, at);
}

Picos Cache::write_back(Entry& e, Picos at) {
  ++stats_.writebacks;
  e.dirty = false;
  return memory(tlm::TLM_WRITE_COMMAND, e.line << kLineShift, e.value, at, RequestAttributes{});
}

void Cache::cpu_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  Picos t = now_plus(delay);
  if (auto* op = trans.get_extension<CacheMaintenance>()) {
    ++stats_.maintenance_ops;
    if (op->op == CacheOp::wbinvd) wbinvd(*op, t);
    else maintain(*op, line_base(trans.get_address()), t);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (!whole_lines(trans)) return;
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  unsigned char* data = trans.get_data_ptr();
  for (uint64_t i = 0; i < lines; ++i) {
    const uint64_t pa = trans.get_address() + i * kLineBytes;
    const uint64_t line = line_of(pa);
    Entry* e = find(line);
    if (trans.is_read()) {
      if (e) {
        ++stats_.load_hits;
        t += config_.hit_latency;
      } else {
        ++stats_.load_misses;
        e = &allocate(line, t);
        t = memory(tlm::TLM_READ_COMMAND, pa, e->value, t + config_.hit_latency,
                   RequestAttributes{});
        if (observer_) observer_->cache_line_filled(pa, e->value, t);
      }
      e->lru = ++lru_clock_;
      put_line(data, i, e->value);
      if (observer_) observer_->cpu_load(pa, e->value, t);
    } else if (trans.is_write()) {
      if (e) {
        ++stats_.store_hits;
      } else {
        ++stats_.store_misses;
        e = &allocate(line, t);
      }
      t += config_.store_line;
      e->lru = ++lru_clock_;
      e->value = get_line(data, i);
      e->dirty = true;
      if (observer_) observer_->cpu_store(pa, e->value, t);
    }
  }
  delay = from_picos(t) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Cache::maintain(CacheMaintenance& op, uint64_t pa, Picos at) {
  Picos looked_up = at + config_.hit_latency;
  Picos done = looked_up;
  if (Entry* e = find(line_of(pa))) {
    ++op.lines_resident;
    if (e->dirty) {
      ++op.lines_written_back;
      done = write_back(*e, looked_up);
    }
    if (op.op != CacheOp::clwb && op.op != CacheOp::dc_cvac) drop(*e, looked_up);
  }
  op.completes_at = std::max(op.completes_at, done);
}

void Cache::wbinvd(CacheMaintenance& op, Picos at) {
  ++stats_.wbinvds;
  Picos walk = at;
  Picos done = at;
  for (Entry& e : entries_) {
    walk += config_.wbinvd_line;
    if (!e.valid) continue;
    ++op.lines_resident;
    if (e.dirty) {
      ++op.lines_written_back;
      done = std::max(done, write_back(e, walk));
    }
    drop(e, walk);
  }
  op.completes_at = std::max({op.completes_at, walk, done});
}

void Cache::snoop_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!whole_lines(trans)) return;
  auto* incoming = trans.get_extension<RequestAttributes>();
  const RequestAttributes attrs = incoming ? *incoming : RequestAttributes{};
  Picos t = now_plus(delay);
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  unsigned char* data = trans.get_data_ptr();
  for (uint64_t i = 0; i < lines; ++i) {
    const uint64_t pa = trans.get_address() + i * kLineBytes;
    Entry* e = find(line_of(pa));
    if (trans.is_read()) {
      if (e) {
        ++stats_.snoop_hits;
        t += config_.hit_latency;
        put_line(data, i, e->value);
      } else {
        ++stats_.snoop_misses;
        LineValue v;
        t = memory(tlm::TLM_READ_COMMAND, pa, v, t + config_.hit_latency, attrs);
        put_line(data, i, v);
      }
    } else if (trans.is_write() && config_.ddio_ways > 0) {
      // DDIO: the write stays in the cache, dirty, until evicted or flushed.
      if (e) {
        ++stats_.ddio_updates;
      } else {
        ++stats_.ddio_allocations;
        e = &allocate(line_of(pa), t, config_.ddio_ways);
      }
      t += config_.hit_latency;
      e->lru = ++lru_clock_;
      e->value = get_line(data, i);
      e->dirty = true;
      if (observer_) observer_->device_write_cached(pa, e->value, t);
    } else if (trans.is_write()) {
      if (e) {
        ++stats_.snoop_invalidations;
        drop(*e, t);
      }
      LineValue v = get_line(data, i);
      t = memory(tlm::TLM_WRITE_COMMAND, pa, v, t + config_.hit_latency, attrs);
    }
  }
  delay = from_picos(t) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace iocsim::models
