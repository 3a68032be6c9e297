// SPDX-License-Identifier: GPL-2.0-only
#include "models/cache/cache.h"
#include "models/common/line_token.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace iocsim::models {
namespace {

// A private level's defaults: its size and ways, its lookup time, and where
// each comes from.
struct LevelDefaults {
  const char* size;
  const char* ways;
  const char* geometry_source;
  const char* hit_latency;
  const char* latency_source;
};

void declare_private_level(params::Catalog& catalog, const std::string& level,
                           const LevelDefaults& d) {
  using params::Spec;
  catalog.declare(Spec::size(level + ".size",
                             "capacity per core (0: the cores have no such level)", 0)
                      .by_default(d.size, d.geometry_source));
  catalog.declare(Spec::count(level + ".ways", "associativity", 1, 1024)
                      .by_default(d.ways, d.geometry_source));
  catalog.declare(Spec::duration(level + ".hit_latency",
                                 "time to look the level up: its load-to-use latency on a hit")
                      .by_default(d.hit_latency, d.latency_source));
}

PrivateLevelConfig private_level(const params::Set& set, const std::string& level) {
  return {set.size(level + ".size"), set.count(level + ".ways"),
          set.picos(level + ".hit_latency")};
}

}  // namespace

// Defaults: an Intel Core i7-1185G7 (Tiger Lake-U, Willow Cove cores), the
// client part of the 2024 series' case (docs/hardware-parameters.md section 3).
void CacheConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  constexpr const char* kTigerLake =
      "i7-1185G7: 12 MB of 12-way L3 (AnandTech, \"Intel's Tiger Lake 11th Gen Core i7-1185G7 "
      "Review and Deep Dive\", page 4; Intel product specifications)";
  catalog.declare(Spec::size("llc.size", "cache capacity", kLineBytes)
                      .by_default("12MiB", kTigerLake));
  catalog.declare(Spec::count("llc.ways", "associativity", 1, 1024).by_default("12", kTigerLake));
  catalog.declare(Spec::duration("llc.hit_latency",
                                 "load-to-use latency of a hit, past the private levels; also "
                                 "the lookup time of cache maintenance ops")
                      .by_default("28cycles",
                                  "~42-cycle L3 load-to-use of a client core less the 14 cycles "
                                  "of the L1D and L2 lookups before it "
                                  "(docs/hardware-parameters.md section 3)"));
  catalog.declare(Spec::duration("llc.store_line",
                                 "CPU store throughput: time to store one 64-byte line")
                      .by_default("1cycles",
                                  "the L1D-L2 path moves 64 B per cycle on Skylake-SP and later "
                                  "(an Intel forum estimate; docs/hardware-parameters.md 1.1)"));
  catalog.declare(Spec::duration("llc.wbinvd_line", "wbinvd walk time per line of capacity")
                      .by_default("167ps",
                                  "clean lines invalidate at ~2 per cycle, 1/6 ns at 3 GHz (an "
                                  "Intel forum estimate; docs/hardware-parameters.md 1.1); the "
                                  "cores' private caches are walked at the same rate"));
  catalog.declare(Spec::count("llc.ddio_ways",
                              "ways coherent device writes allocate into, as Intel DDIO does "
                              "(0: they invalidate and go to memory)",
                              0, 1024)
                      .by_default("0",
                                  "DDIO is a Xeon feature; client parts write to memory "
                                  "(unverified)"));
  catalog.declare(Spec::flag("llc.inclusive",
                             "the LLC holds every line the cores hold and back-invalidates "
                             "them on eviction (false: a victim cache of the cores' caches)")
                      .by_default("false",
                                  "Tiger Lake's L3 is no longer inclusive of the L2 (AnandTech "
                                  "review, page 4: cache line exclusivity altered from Ice "
                                  "Lake's inclusive design)"));
  catalog.declare(Spec::duration("llc.core_snoop",
                                 "added to a load that must take its line from another core")
                      .by_default("30cycles",
                                  "a line shared or modified in another core costs 25-35 cycles "
                                  "more than an unshared L3 hit (Nehalem: 40 vs 65/75 cycles; "
                                  "16 vs 25-29 ns in Dive into Deep Learning's table; "
                                  "docs/hardware-parameters.md section 3)"));
  catalog.declare(Spec::count("cpu.cores", "cores, each with its own private caches", 1,
                              kMaxCores)
                      .by_default("4", "i7-1185G7: 4 cores (Intel product specifications)"));
  declare_private_level(
      catalog, "l1d",
      {"48KiB", "12", "Willow Cove: 48 KB 12-way L1D (AnandTech review, page 4)", "5cycles",
       "L1D load-to-use 4-5 cycles on Intel cores, 5 on Sunny and Golden Cove "
       "(docs/hardware-parameters.md section 3)"});
  declare_private_level(
      catalog, "l2",
      {"1280KiB", "20", "Willow Cove: 1280 KB 20-way L2 (AnandTech review, page 4)", "9cycles",
       "a 14-cycle L2 load-to-use (Skylake-SP and Cascade Lake 14, Golden Cove ~16; "
       "docs/hardware-parameters.md section 3) less the 5-cycle L1D lookup a miss has made"});
  // Loads that overlap (docs/hardware-parameters.md section 3.1).
  catalog.declare(Spec::duration("l1d.load_line",
                                 "time between the issue of two lines' loads in one request")
                      .by_default("1cycles",
                                  "two 32-byte loads a cycle on Skylake and later Intel cores "
                                  "(Intel Optimization Reference Manual; "
                                  "docs/hardware-parameters.md 3.1)"));
  catalog.declare(Spec::count("l1d.fill_buffers",
                              "L1D misses in flight per core (0: loads do not overlap, each "
                              "waits for the one before)",
                              0, 1024)
                      .by_default("16",
                                  "the count commonly quoted for Sunny Cove and later, 12 on "
                                  "Skylake (docs/hardware-parameters.md 3.1; unverified)"));
  catalog.declare(Spec::count("l2.queue",
                              "L2 misses and prefetches in flight per core (0: no limit)", 0,
                              1024)
                      .by_default("48",
                                  "the count commonly quoted for Sunny Cove and later, 32 on "
                                  "Skylake (docs/hardware-parameters.md 3.1; unverified)"));
  catalog.declare(Spec::count("l2.prefetch_distance",
                              "lines the L2 streamer prefetches ahead of a run of loads, within "
                              "a 4 KiB page (0: no prefetcher)",
                              0, kLinesPerPage)
                      .by_default("20",
                                  "the streamer runs up to 20 lines ahead of the load request "
                                  "(Intel Optimization Reference Manual, Data Prefetching; "
                                  "docs/hardware-parameters.md 3.1)"));
  catalog.declare(Spec::count("l2.prefetch_streams", "runs of loads the L2 streamer follows", 1,
                              1024)
                      .by_default("32",
                                  "the streamer maintains up to 32 streams (Intel Optimization "
                                  "Reference Manual, Data Prefetching; "
                                  "docs/hardware-parameters.md 3.1)"));
}

CacheConfig CacheConfig::from(const params::Set& set) {
  CacheConfig c;
  c.size = set.size("llc.size");
  c.ways = set.count("llc.ways");
  c.hit_latency = set.picos("llc.hit_latency");
  c.store_line = set.picos("llc.store_line");
  c.wbinvd_line = set.picos("llc.wbinvd_line");
  c.ddio_ways = set.count("llc.ddio_ways");
  c.cores = set.count("cpu.cores");
  c.l1d = private_level(set, "l1d");
  c.l2 = private_level(set, "l2");
  c.inclusive = set.flag("llc.inclusive");
  c.core_snoop = set.picos("llc.core_snoop");
  c.load_line = set.picos("l1d.load_line");
  c.fill_buffers = set.count("l1d.fill_buffers");
  c.l2_queue = set.count("l2.queue");
  c.prefetch_distance = set.count("l2.prefetch_distance");
  c.prefetch_streams = set.count("l2.prefetch_streams");
  return c;
}

Cache::Cache(sc_core::sc_module_name name, const CacheConfig& config,
             CoherenceObserver* observer)
    : sc_module(name),
      cpu_side("cpu_side"),
      snoop_side("snoop_side"),
      mem_side("mem_side"),
      config_(config),
      observer_(observer),
      llc_(std::string(basename()), config.size, config.ways),
      mem_attrs_(new RequestAttributes),
      fill_run_(new LineFill),
      mem_posting_(new WritePosting),
      fill_posting_(new WritePosting) {
  if (llc_.absent())
    throw std::invalid_argument(std::string(basename()) + ": the LLC needs a size");
  if (config.cores == 0 || config.cores > CacheConfig::kMaxCores)
    throw std::invalid_argument(std::string(basename()) + ": 1 to 64 cores");
  cores_.resize(config.cores);
  for (Core& core : cores_) {
    for (auto [level, cfg, stats] : {std::tuple{"l1d", &config.l1d, &stats_.l1d},
                                     std::tuple{"l2", &config.l2, &stats_.l2}}) {
      if (cfg->size == 0) continue;
      core.levels.emplace_back(level, cfg->size, cfg->ways);
      core.latency.push_back(cfg->hit_latency);
      core.stats.push_back(stats);
    }
    core.fill_buffers = MissSlots(config.fill_buffers);
    core.queue = MissSlots(config.l2_queue);
    core.prefetcher = StreamPrefetcher(config.prefetch_distance, config.prefetch_streams);
  }
  if (config.stream_stores) stream_ = stream_for_geometry();
  for (const auto& [counter, value] :
       {std::pair{"load_hits", &stats_.load_hits}, {"load_misses", &stats_.load_misses},
        {"store_hits", &stats_.store_hits}, {"store_misses", &stats_.store_misses},
        {"evictions", &stats_.evictions}, {"writebacks", &stats_.writebacks},
        {"snoop_hits", &stats_.snoop_hits}, {"snoop_misses", &stats_.snoop_misses},
        {"snoop_invalidations", &stats_.snoop_invalidations},
        {"maintenance_ops", &stats_.maintenance_ops}, {"wbinvds", &stats_.wbinvds},
        {"l1d.load_hits", &stats_.l1d.load_hits}, {"l1d.load_misses", &stats_.l1d.load_misses},
        {"l2.load_hits", &stats_.l2.load_hits}, {"l2.load_misses", &stats_.l2.load_misses},
        {"core_snoops", &stats_.core_snoops}, {"core_invalidations", &stats_.core_invalidations},
        {"back_invalidations", &stats_.back_invalidations},
        {"ddio_updates", &stats_.ddio_updates}, {"ddio_allocations", &stats_.ddio_allocations},
        {"prefetches", &stats_.prefetches}})
    statistics_.add(counter, *value);
  cpu_side.register_b_transport(this, &Cache::cpu_transport);
  snoop_side.bind(*this);
  mem_trans_.set_data_ptr(mem_data_);
  mem_trans_.set_data_length(kLineBytes);
  mem_trans_.set_streaming_width(kLineBytes);
  mem_trans_.set_extension(mem_attrs_);
  mem_trans_.set_extension(mem_posting_);
  fill_trans_.set_command(tlm::TLM_IGNORE_COMMAND);
  fill_trans_.set_extension(fill_run_);
  fill_trans_.set_extension(fill_posting_);
}

void Cache::gather_postings(Picos t) { mem_posting_->posted = fill_posting_->posted = t; }

bool Cache::whole_lines(tlm::tlm_generic_payload& trans) {
  if (trans.get_data_length() == 0 || trans.get_address() % kLineBytes != 0 ||
      trans.get_data_length() % kLineBytes != 0 || trans.get_byte_enable_ptr()) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  return true;
}

bool Cache::resident(uint64_t pa) const {
  settle();
  return indexed(line_of(pa));
}

bool Cache::held_in_arrays(uint64_t pa) const {
  settle();
  return held(line_of(pa));
}

bool Cache::dirty(uint64_t pa) const {
  settle();
  const uint64_t line = line_of(pa);
  const CacheWay* e = llc_.find(line);
  if (e && e->dirty) return true;
  for (uint64_t c = 0; c < cores_.size(); ++c) {
    const CacheWay* w = core_copy(c, line);
    if (w && w->dirty) return true;
  }
  return false;
}

char Cache::core_state(uint64_t core, uint64_t pa) const {
  settle();
  const CacheWay* w = core_copy(core, line_of(pa));
  if (!w) return 'I';
  return w->dirty ? 'M' : w->exclusive ? 'E' : 'S';
}

bool Cache::in_llc(uint64_t pa) const {
  settle();
  return llc_.find(line_of(pa)) != nullptr;
}

uint64_t Cache::lines_in_page(uint64_t page_pa) const {
  settle();
  auto it = page_lines_.find(page_pa >> kPageShift);
  return it == page_lines_.end() ? 0 : static_cast<uint64_t>(__builtin_popcountll(it->second));
}

std::vector<uint64_t> Cache::held_pages(uint64_t pa, uint64_t end) const {
  settle();
  std::vector<uint64_t> pages;
  const uint64_t first = page_of(pa), last = page_of(end - 1);
  if (last - first < page_lines_.size()) {
    for (uint64_t page = first; page <= last; ++page)
      if (page_lines_.count(page)) pages.push_back(page);
    return pages;
  }
  for (const auto& [page, lines] : page_lines_)
    if (page >= first && page <= last) pages.push_back(page);
  std::sort(pages.begin(), pages.end());
  return pages;
}

Picos Cache::memory(tlm::tlm_command cmd, uint64_t pa, LineValue& value, Picos at,
                    const RequestAttributes& attrs) {
  *mem_attrs_ = attrs;
  mem_trans_.set_command(cmd);
  mem_trans_.set_address(pa);
  if (cmd == tlm::TLM_WRITE_COMMAND) put_line(mem_data_, 0, value);
  const Picos done = to_memory(mem_trans_, at);
  if (cmd == tlm::TLM_READ_COMMAND) value = get_line(mem_data_, 0);
  return done;
}

Picos Cache::to_memory(tlm::tlm_generic_payload& trans, Picos at) {
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const Picos global = global_picos();
  sc_core::sc_time delay = from_picos(at - global);
  memory_path_.b_transport(trans, delay);
  if (trans.is_response_error())
    throw std::runtime_error(std::string(name()) + ": memory rejected line " +
                             std::to_string(trans.get_address()) + " (" +
                             trans.get_response_string() + ")");
  return global + to_picos(delay);
}

void Cache::cpu_transport(int core, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (static_cast<uint64_t>(core) >= cores_.size())
    throw std::logic_error(std::string(name()) + ": core " + std::to_string(core) +
                           " is bound but the cache has " + std::to_string(cores_.size()));
  const Picos global = global_picos();
  Picos t = global + to_picos(delay);
  if (auto* op = trans.get_extension<CacheMaintenance>()) {
    interrupt_stream();
    ++stats_.maintenance_ops;
    if (info(op->op).whole_cache) wbinvd(*op, t);
    else maintain(*op, line_base(trans.get_address()), t);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (!whole_lines(trans)) return;
  const LineFill* fill = trans.get_command() == tlm::TLM_IGNORE_COMMAND
                             ? trans.get_extension<LineFill>()
                             : nullptr;
  gather_postings(t);
  if (fill || trans.is_write()) {
    t = write(static_cast<uint64_t>(core), trans, fill, t);
  } else if (trans.is_read()) {
    interrupt_stream();
    const Picos done = loads(static_cast<uint64_t>(core), trans, t);
    if (auto* completion = trans.get_extension<LoadCompletion>())
      completion->completes = std::max(done, posted());
    else
      t = done;
  } else {
    interrupt_stream();
  }
  t = std::max(t, posted());
  delay = from_picos(t - global);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

Picos Cache::write(uint64_t core, tlm::tlm_generic_payload& trans, const LineFill* fill,
                   Picos t) {
  const uint64_t first = line_of(trans.get_address());
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  const unsigned char* data = trans.get_data_ptr();
  if (fill && fill->step > 0) {
    // Lines issued apart: each store waits for its line.
    settle();
    const Picos issued = t;
    for (uint64_t i = 0; i < lines; ++i)
      t = store(core, (first + i) << kLineShift, fill->value, std::max(t, issued + i * fill->step));
    return t;
  }
  for (uint64_t i = 0; i < lines;) {
    const LineValue value = fill ? fill->value : get_line(data, i);
    uint64_t n = 1;
    if (fill) n = lines - i;
    else
      while (i + n < lines && get_line(data, i + n) == value) ++n;
    if (streamable(core, first + i, n)) {
      t = store_stream(core, first + i, n, value, t);
    } else {
      settle();  // the stores themselves say whether the stream goes on
      for (uint64_t k = i; k < i + n; ++k) t = store(core, (first + k) << kLineShift, value, t);
    }
    i += n;
  }
  return t;
}

Picos Cache::llc_only_load(uint64_t pa, LineValue& out, Picos t) {
  const uint64_t line = line_of(pa);
  CacheWay* e = llc_.find(line);
  if (e) {
    ++stats_.load_hits;
    t += config_.hit_latency;
  } else {
    ++stats_.load_misses;
    e = &llc_allocate(line, t);
    t = memory(tlm::TLM_READ_COMMAND, pa, e->value, t + config_.hit_latency, unattributed_);
    entered(line);
    if (observer_) observer_->cache_line_filled(pa, e->value, t);
  }
  llc_.touch(*e);
  out = e->value;
  return t;
}

Picos Cache::loads(uint64_t core, tlm::tlm_generic_payload& trans, Picos& issue) {
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  unsigned char* data = trans.get_data_ptr();
  const bool overlap = config_.fill_buffers > 0 && !cores_[core].levels.empty();
  Picos done = issue;
  for (uint64_t i = 0; i < lines; ++i) {
    if (!overlap) issue = done;
    LineValue v;
    done = std::max(done, load(core, trans.get_address() + i * kLineBytes, v, issue));
    put_line(data, i, v);
    if (overlap) issue += config_.load_line;
  }
  if (!overlap) issue = done;
  return done;
}

Picos Cache::load(uint64_t core, uint64_t pa, LineValue& out, Picos& issue) {
  Core& c = cores_[core];
  Picos t = issue;
  if (c.levels.empty()) {
    t = llc_only_load(pa, out, t);
  } else {
    const uint64_t line = line_of(pa);
    const size_t outer = c.levels.size() - 1;
    // An L1D miss waits for a fill buffer, and the loads after it for this one.
    CacheWay* hit = c.levels.front().find(line);
    if (!hit) issue = t = c.fill_buffers.claim(issue);
    size_t level = 0;
    Picos reached_outer = t;
    for (; level <= outer; ++level) {
      if (level == outer) reached_outer = t;
      t += c.latency[level];
      if (level > 0) hit = c.levels[level].find(line);
      ++(hit ? c.stats[level]->load_hits : c.stats[level]->load_misses);
      if (hit) break;
    }
    if (hit && hit->ready) {
      // A line a prefetch brought: the load waits for its data.
      t = std::max(t, hit->ready);
      hit->ready = 0;
    }
    if (hit) {
      out = hit->value;
      c.levels[level].touch(*hit);
      if (level < outer) c.outer().touch(*c.outer().find(line));
      fill_inner(core, line, out, level, true);  // the levels inside it missed
    } else {
      bool exclusive = false;
      t = c.queue.claim(t);
      t = shared_read(core, line, out, exclusive, t);
      c.queue.hold(t);
      core_install(core, line, out, false, exclusive, t);
      fill_inner(core, line, out, outer, true);
    }
    if (level > 0) c.fill_buffers.hold(t);
    // The streamer sees the request the outer level took (after it, so that
    // its prefetches do not displace the line the request is after).
    if (level >= outer) prefetch(core, line, reached_outer);
  }
  if (observer_) observer_->cpu_load(pa, out, t);
  return t;
}

void Cache::prefetch(uint64_t core, uint64_t line, Picos at) {
  Core& c = cores_[core];
  c.prefetcher.request(line, prefetch_lines_);
  for (uint64_t ahead : prefetch_lines_) {
    if (indexed(ahead) && core_copy(core, ahead)) continue;  // the core has it already
    LineValue value;
    bool exclusive = false;
    const Picos done = shared_read(core, ahead, value, exclusive, c.queue.claim(at));
    c.queue.hold(done);
    core_install(core, ahead, value, false, exclusive, done).ready = done;
    ++stats_.prefetches;
  }
  prefetch_lines_.clear();
}

void Cache::llc_only_store(uint64_t pa, const LineValue& value, Picos t) {
  const uint64_t line = line_of(pa);
  CacheWay* e = llc_.find(line);
  if (e) {
    ++stats_.store_hits;
  } else {
    ++stats_.store_misses;
    e = &llc_allocate(line, t);
    entered(line);
  }
  llc_.touch(*e);
  e->value = value;
  e->dirty = true;
}

Picos Cache::store(uint64_t core, uint64_t pa, const LineValue& value, Picos t) {
  const uint64_t line = line_of(pa);
  if (cores_[core].levels.empty()) {
    llc_only_store(pa, value, t);
  } else {
    // A line no level holds (the common case of a stream of stores) needs no lookup.
    const bool indexed_line = indexed(line);
    CacheWay* mine = indexed_line ? core_copy(core, line) : nullptr;
    ++(mine ? stats_.store_hits : stats_.store_misses);
    const uint64_t others =
        !indexed_line || (mine && mine->exclusive) ? 0 : holders(line) & ~(uint64_t{1} << core);
    CacheWay* shared = indexed_line ? llc_.find(line) : nullptr;
    const bool was_held = mine || others || shared;
    // Read-for-ownership: every other copy goes; the store overwrites the whole line.
    if (others) stats_.core_invalidations += drop_cores(others, line);
    if (config_.inclusive && !shared) {
      // Inclusion: the LLC keeps a place for the line; its copy is stale
      // while the core holds it Modified.
      shared = &llc_allocate(line, t);
      shared->value = value;
      llc_.touch(*shared);
    } else if (!config_.inclusive && shared) {
      // The core takes the line, and with it the duty to write it back.
      llc_.invalidate(*shared);
    }
    if (mine) {
      mine->value = value;
      mine->dirty = mine->exclusive = true;
      cores_[core].outer().touch(*mine);
    } else {
      core_install(core, line, value, true, true, t);
    }
    fill_inner(core, line, value, cores_[core].levels.size() - 1, !mine);
    if (!was_held) entered(line);
    track_store(core, line, value, !indexed_line);
  }
  t += config_.store_line;
  if (observer_) observer_->cpu_store(pa, value, t);
  return t;
}

void Cache::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!whole_lines(trans)) return;
  interrupt_stream();
  const Picos global = global_picos();
  Picos t = global + to_picos(delay);
  if (trans.is_read()) {
    t = snoop_reads(trans, t);
  } else if (trans.is_write()) {
    const auto* incoming = trans.get_extension<RequestAttributes>();
    const RequestAttributes& attrs = incoming ? *incoming : unattributed_;
    const uint64_t lines = trans.get_data_length() / kLineBytes;
    const unsigned char* data = trans.get_data_ptr();
    for (uint64_t i = 0; i < lines; ++i)
      t = snoop_write(trans.get_address() + i * kLineBytes, get_line(data, i), t, attrs);
  } else if (auto* run = trans.get_extension<LineFill>(); run && run->device_run) {
    t = snoop_write_run(trans, *run, t);
  } else if (auto* reads = trans.get_extension<PacedReads>()) {
    t = snoop_read_run(trans, *reads, t);
  }
  delay = from_picos(t - global);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace iocsim::models
