// SPDX-License-Identifier: GPL-2.0-only
#include "models/cpu/cpu_agent.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace iocsim::models {
namespace {

// Stores and loads are issued a page at a time, like a string instruction.
constexpr uint64_t kChunk = kPageBytes;

// Calls fn(address, length) for [pa, pa + bytes) cut at page boundaries.
template <typename Fn>
void each_chunk(uint64_t pa, uint64_t bytes, Fn fn) {
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t addr = pa + done;
    const uint64_t len = std::min(bytes - done, kChunk - addr % kChunk);
    fn(addr, len);
    done += len;
  }
}

// The pages of a range the cache holds lines of, as a flush walks it:
// asked of the cache again only when the walk has let other processes run
// (a sync) and some line has come into the cache since it last asked (a
// page whose lines have left since is flushed by the lines, which finds
// them absent all the same).
class HeldPages {
 public:
  HeldPages(const ResidencyIndex& index, uint64_t end) : index_(&index), end_(end) {}
  void refresh(uint64_t from, uint64_t syncs) {
    if (listed_ && syncs == syncs_) return;
    const uint64_t entered = index_->lines_entered();
    if (listed_ && entered == entered_) return;
    pages_ = index_->held_pages(from, end_);
    next_ = 0;
    listed_ = true;
    syncs_ = syncs;
    entered_ = entered;
  }
  // The first held page at or after `page` (or the range's end page).
  uint64_t next(uint64_t page) {
    while (next_ < pages_.size() && pages_[next_] < page) ++next_;
    return next_ < pages_.size() ? pages_[next_] : (end_ + kPageBytes - 1) >> kPageShift;
  }

 private:
  const ResidencyIndex* index_;
  uint64_t end_;
  std::vector<uint64_t> pages_;
  size_t next_ = 0;
  bool listed_ = false;
  uint64_t syncs_ = 0, entered_ = 0;
};

void require_lines(uint64_t pa, uint64_t bytes, const char* what) {
  if (pa % kLineBytes != 0 || bytes % kLineBytes != 0)
    throw std::invalid_argument(std::string("CPU ") + what + " cover whole, aligned lines");
}

}  // namespace

// Defaults: an Intel Core i7-1185G7 (Tiger Lake-U), as the cache's.
void CpuConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::frequency("cpu.freq", "core clock (also converts cycles)")
                      .by_default("3GHz",
                                  "i7-1185G7 base clock at its 28 W configurable TDP (Intel "
                                  "product specifications)"));
  catalog.declare(Spec::choice("cpu.isa",
                               "instruction set: which cache-maintenance instructions exist "
                               "(a scenario's x86 flush ops run as their arm64 counterparts)",
                               enum_names(kIsaNames))
                      .by_default("x86-64", "the i7-1185G7 is an x86-64 part"));
  catalog.declare(Spec::choice("cpu.flush",
                               "per-line flush the kernel uses (clflush on CPUs without "
                               "clflushopt; dc-civac on arm64)",
                               kernel_flush_names())
                      .by_default("clflushopt",
                                  "CLFLUSHOPT exists from Skylake on, and the kernel's helper "
                                  "uses it where present (docs/hardware-parameters.md 1.1, 2)"));
  for (const CacheOpInfo& op : kCacheOps)
    if (!op.issue_param.empty())
      catalog.declare(Spec::duration(std::string(op.issue_param), std::string(op.issue_meaning))
                          .by_default(std::string(op.issue_default),
                                      std::string(op.issue_source)));
  catalog.declare(Spec::duration("cpu.mfence",
                                 "cost of the fence that completes asynchronous flushes (MFENCE; "
                                 "DSB on arm64), on top of waiting for them")
                      .by_default("33cycles",
                                  "MFENCE throughput on Skylake-derived cores per Agner Fog's "
                                  "instruction tables (unverified)"));
}

CpuConfig CpuConfig::from(const params::Set& set) {
  CpuConfig c;
  c.hz = set.frequency("cpu.freq");
  c.isa = *isa_named(set.choice("cpu.isa"));
  c.flush_op = *cache_op_named(set.choice("cpu.flush"));
  for (const CacheOpInfo& op : kCacheOps)
    if (!op.issue_param.empty()) c.issue[static_cast<size_t>(op.op)] = set.picos(op.issue_param);
  c.mfence = set.picos("cpu.mfence");
  return c;
}

CacheOp CpuAgent::native(CacheOp op) const {
  return config_.isa == Isa::arm64 ? info(op).on_arm64 : op;
}

CpuAgent::CpuAgent(sc_core::sc_module_name name, const CpuConfig& config,
                   VersionClock& versions)
    : sc_module(name), socket("socket"), config_(config), versions_(&versions),
      buffer_(kChunk) {
  // A default-constructed quantum keeper has its next sync point at time 0.
  qk_.reset();
  store_trans_.set_extension(store_fill_);
  store_trans_.set_command(tlm::TLM_IGNORE_COMMAND);
  store_trans_.set_data_ptr(buffer_.data());
  load_trans_.set_command(tlm::TLM_READ_COMMAND);
  load_trans_.set_data_ptr(buffer_.data());
  load_trans_.set_extension(load_completion_);
  maintenance_trans_.set_extension(maintenance_);
  maintenance_trans_.set_command(tlm::TLM_IGNORE_COMMAND);
  maintenance_trans_.set_data_ptr(buffer_.data());
  maintenance_trans_.set_data_length(kLineBytes);
  maintenance_trans_.set_streaming_width(kLineBytes);
}

Picos CpuAgent::now() const { return to_picos(qk_.get_current_time()); }

void CpuAgent::advance_to(Picos t) {
  const Picos current = now();
  if (t <= current) return;
  busy_ += t - current;
  qk_.set(from_picos(t - global_picos()));
  if (!qk_.need_sync()) return;
  // A sync that would only move global time is left out: the core runs on
  // ahead, and global time catches up at the first sync that lets someone
  // else run (or at the end of the step).
  if (qk_.sync_lets_others_run()) sync();
  else qk_.pass_sync_point();
}

uint64_t CpuAgent::computes_to_sync(Picos t) const {
  // The first advance to reach the quantum keeper's sync point syncs, the
  // ones before it do not.
  if (t == 0) return UINT64_MAX;  // advance_to a time not later than now does nothing
  const Picos from = now(), sync_at = qk_.next_sync();
  return sync_at > from ? (sync_at - from + t - 1) / t : 1;
}

void CpuAgent::advance_by(uint64_t n, Picos step) {
  if (step == 0) return;
  while (n > 0) {
    // advance_to() n times, by whole runs of advances up to a sync.
    const uint64_t k = std::min(n, computes_to_sync(step));
    advance_to(now() + k * step);
    n -= k;
  }
}

void CpuAgent::sync() {
  qk_.sync();
  ++syncs_;
}

void CpuAgent::compute(Picos t) { advance_to(now() + t); }

void CpuAgent::transport(tlm::tlm_generic_payload& trans) {
  sc_core::sc_time delay = qk_.get_local_time();
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  out_.b_transport(trans, delay);
  if (trans.is_response_error())
    throw std::runtime_error(std::string(name()) + ": access to " +
                             std::to_string(trans.get_address()) + " failed (" +
                             trans.get_response_string() + ")");
  advance_to(global_picos() + to_picos(delay));
}

void CpuAgent::store(uint64_t pa, uint64_t bytes, OwnerId owner, TagId tag) {
  require_lines(pa, bytes, "stores");
  store_fill_->value = {versions_->next(), owner, tag};
  tlm::tlm_generic_payload& trans = store_trans_;
  // A page at a time, as a string instruction stores, with the quantum
  // keeper's say between pages; but the pages between two syncs go as one
  // fill. A store's time grows with its lines (they are posted), so once a
  // fill has shown the time per line, the page after which a page at a time
  // would sync is known in advance; should a fill take other than that, the
  // next one is a page again.
  std::optional<Picos> per_line;
  for (uint64_t done = 0; done < bytes;) {
    const uint64_t addr = pa + done, left = bytes - done;
    uint64_t len = std::min(left, kChunk - addr % kChunk);
    if (per_line) {
      const Picos from = now(), sync_at = qk_.next_sync();
      uint64_t lines = left / kLineBytes;  // stored before a page at a time would sync
      if (sync_at <= from) lines = 1;
      else if (*per_line > 0) lines = std::min(lines, (sync_at - from + *per_line - 1) / *per_line);
      const uint64_t end = (addr + lines * kLineBytes + kChunk - 1) / kChunk * kChunk;
      len = std::max(len, std::min(pa + bytes, end) - addr);
    }
    trans.set_address(addr);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    const Picos start = now();
    transport(trans);
    const uint64_t lines = len / kLineBytes;
    const Picos took = now() - start;
    if (took % lines == 0 && (!per_line || took == lines * *per_line)) per_line = took / lines;
    else per_line.reset();
    done += len;
  }
}

std::vector<LineValue> CpuAgent::load(uint64_t pa, uint64_t bytes) {
  require_lines(pa, bytes, "loads");
  std::vector<LineValue> values;
  values.reserve(bytes / kLineBytes);
  tlm::tlm_generic_payload& trans = load_trans_;
  // Each page's loads overlap with the next page's (the cache answers when
  // the last of them issued); the data of them all are in by the end.
  Picos arrived = 0;
  each_chunk(pa, bytes, [&](uint64_t addr, uint64_t len) {
    trans.set_address(addr);
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    load_completion_->completes = 0;
    transport(trans);
    arrived = std::max(arrived, load_completion_->completes);
    for (uint64_t i = 0; i < len / kLineBytes; ++i) values.push_back(get_line(buffer_.data(), i));
  });
  advance_to(arrived);
  return values;
}

Picos CpuAgent::issue_cost(CacheOp op) const { return config_.issue[static_cast<size_t>(op)]; }

FlushCounts CpuAgent::flush_range(uint64_t pa, uint64_t bytes, CacheOp requested) {
  require_lines(pa, bytes, "flushes");
  const CacheOp op = native(requested);
  if (info(op).whole_cache) throw std::invalid_argument("flush_range flushes lines, not wbinvd");
  FlushCounts counts;
  const uint64_t end = pa + bytes;
  if (!residency_) {
    for (uint64_t line = pa; line < end; line += kLineBytes) counts += flush_line(line, op);
    return counts;
  }
  // A page the cache holds lines of is flushed line by line; the pages it
  // holds nothing of, by arithmetic, as many together as come before the
  // quantum keeper would sync. Which pages the cache holds is asked again
  // after every sync, as other processes may have changed it.
  const Picos absent_step =
      info(op).serialised ? std::max(issue_cost(op), residency_->lookup_latency())
                          : issue_cost(op);
  HeldPages held(*residency_, end);
  for (uint64_t at = pa; at < end;) {
    held.refresh(at, syncs_);
    const uint64_t page_end = std::min(end, (at & ~(kPageBytes - 1)) + kPageBytes);
    const uint64_t next_held = held.next(page_of(at));
    if (next_held == page_of(at)) {
      for (uint64_t line = at; line < page_end; line += kLineBytes)
        counts += flush_line(line, op);
      at = page_end;
      continue;
    }
    // Absent pages up to the next held one, or to the page that reaches the sync point.
    uint64_t stop = std::min(end, next_held << kPageShift);
    if (absent_step > 0) {
      const uint64_t lines = computes_to_sync(absent_step);
      stop = std::min(stop, ((at + lines * kLineBytes + kPageBytes - 1) & ~(kPageBytes - 1)));
    }
    flush_absent((stop - at) / kLineBytes, op);
    at = stop;
  }
  return counts;
}

FlushCounts CpuAgent::clean_pages(uint64_t pa, uint64_t bytes, CacheOp requested,
                                  Picos per_page) {
  if (pa % kPageBytes != 0 || bytes % kPageBytes != 0)
    throw std::invalid_argument("clean_pages cleans whole, aligned pages");
  const CacheOp op = native(requested);
  FlushCounts counts;
  const uint64_t end = pa + bytes;
  // A page the cache holds nothing of, entered with no flush outstanding
  // past its first fence, takes the same time as the one before it:
  // software time, a fence, its 64 lines (clflush waits for each lookup;
  // the others issue back to back, the last completing a lookup after its
  // issue), and a fence that waits for that completion. It leaves the last
  // completion behind the time, so the next page starts the same way.
  const Picos issue = issue_cost(op), lookup = residency_ ? residency_->lookup_latency() : 0;
  const bool serialised = info(op).serialised;
  const Picos lines_time = kLinesPerPage * (serialised ? std::max(issue, lookup) : issue);
  const Picos last_done = (kLinesPerPage - 1) * issue + lookup;  // from the first issue
  const Picos page_time =
      per_page + config_.mfence +
      (serialised ? lines_time + config_.mfence : std::max(lines_time + config_.mfence, last_done));
  std::optional<HeldPages> held;
  if (residency_) held.emplace(*residency_, end);
  for (uint64_t page = pa; page < end;) {
    if (held) held->refresh(page, syncs_);
    const uint64_t next_held = held ? held->next(page_of(page)) : page_of(page);
    const Picos from = now();
    if (next_held != page_of(page) && flushes_complete_at_ <= from + per_page + config_.mfence) {
      // The absent pages up to the next held one whose end comes before the sync point.
      const uint64_t stop = std::min(end, next_held << kPageShift);
      uint64_t pages = (stop - page) / kPageBytes;
      const Picos sync_at = qk_.next_sync();
      if (page_time > 0) pages = std::min(pages, sync_at > from ? (sync_at - from - 1) / page_time : 0);
      if (pages > 0) {
        residency_->count_absent_maintenance(pages * kLinesPerPage);
        if (!serialised)
          flushes_complete_at_ = std::max(flushes_complete_at_, from + (pages - 1) * page_time +
                                                                    per_page + config_.mfence +
                                                                    last_done);
        advance_to(from + pages * page_time);
        page += pages * kPageBytes;
        continue;
      }
    }
    compute(per_page);
    mfence();
    counts += flush_range(page, kPageBytes, op);
    mfence();
    page += kPageBytes;
  }
  return counts;
}

void CpuAgent::flush_absent(uint64_t lines, CacheOp op) {
  // What flush_line does when the cache finds nothing: the lookup completes
  // the op; clflush waits for it, the others only for their issue.
  residency_->count_absent_maintenance(lines);
  if (lines == 0) return;
  const Picos issue = issue_cost(op), lookup = residency_->lookup_latency();
  if (info(op).serialised) {
    advance_by(lines, std::max(issue, lookup));
  } else {
    // The last op, issued (lines - 1) issues from now, completes last.
    flushes_complete_at_ = std::max(flushes_complete_at_, now() + (lines - 1) * issue + lookup);
    advance_by(lines, issue);
  }
}

FlushCounts CpuAgent::flush_line(uint64_t pa, CacheOp requested) {
  const CacheOp op = native(requested);
  if (info(op).whole_cache) return whole_cache(op);
  const Picos issue = issue_cost(op);
  const CacheMaintenance& done = maintain(op, line_base(pa));
  const Picos issued = now() + issue;
  if (info(op).serialised) {
    advance_to(std::max(issued, done.completes_at));
  } else {
    flushes_complete_at_ = std::max(flushes_complete_at_, done.completes_at);
    advance_to(issued);
  }
  return {done.lines_resident, done.lines_written_back};
}

const CacheMaintenance& CpuAgent::maintain(CacheOp op, uint64_t line) {
  *maintenance_ = CacheMaintenance{};
  maintenance_->op = op;
  maintenance_trans_.set_address(line);
  transport(maintenance_trans_);
  return *maintenance_;
}

void CpuAgent::mfence() {
  advance_to(std::max(now() + config_.mfence, flushes_complete_at_));
}

FlushCounts CpuAgent::whole_cache(CacheOp op) {
  const CacheMaintenance& done = maintain(op, 0);
  // Serialising: nothing after it starts before the hierarchy is written back.
  advance_to(std::max(done.completes_at, flushes_complete_at_));
  return {done.lines_resident, done.lines_written_back};
}

}  // namespace iocsim::models
