// SPDX-License-Identifier: GPL-2.0-only
#include "models/dma/dma_master.h"

#include "models/common/time.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {

void DmaConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::size("dma.request_size",
                             "bytes per device request, one read request or write TLPs "
                             "(a multiple of 64)",
                             kLineBytes, kPageBytes)
                      .by_default("64B",
                                  "one cache line per request: the unit the caches and the "
                                  "oracle track"));
  catalog.declare(Spec::count("dma.outstanding",
                              "reads a DMA engine keeps in flight, its PCIe tags (a background "
                              "actor: across its transfers too)",
                              1, 1024)
                      .by_default("32",
                                  "the 5-bit PCIe tag field without extended tags; a published "
                                  "device controller's limit (TI AM6x PCIe subsystem, SPRUJB3: "
                                  "\"maximum number of non-posted outstanding transactions: "
                                  "32\"); extended and 10-bit tags allow 256 and 768"));
  PcieLinkConfig::declare(catalog);
}

DmaConfig DmaConfig::from(const params::Set& set) {
  return {set.size("dma.request_size"), set.count("dma.outstanding"),
          PcieLinkConfig::from(set)};
}

DmaMaster::DmaMaster(sc_core::sc_module_name name, uint32_t stream_id, OwnerId owner,
                     bool honours_nosnoop_enable, const DmaConfig& config,
                     VersionClock& versions, CoherenceObserver* observer)
    : sc_module(name),
      socket("socket"),
      stream_id_(stream_id),
      owner_(owner),
      honours_nosnoop_enable_(honours_nosnoop_enable),
      config_(config),
      versions_(&versions),
      observer_(observer),
      link_(config.link),
      statistics_(kStatsSection, std::string(basename()) + ".") {
  if (config.request_bytes % kLineBytes != 0)
    throw std::invalid_argument("dma.request_size must be a multiple of 64 bytes");
  statistics_.add("requests", stats_.requests);
  statistics_.add("lines_read", stats_.lines_read);
  statistics_.add("lines_written", stats_.lines_written);
  statistics_.add("faults", stats_.faults);
}

void DmaMaster::set_nosnoop_enable(bool enabled, Picos at) {
  const bool was_capable = nosnoop_enable_ || !honours_nosnoop_enable_;
  nosnoop_enable_ = enabled;
  const bool capable = nosnoop_enable_ || !honours_nosnoop_enable_;
  if (observer_ && capable != was_capable)
    observer_->device_nosnoop_capability(stream_id_, capable, at);
}

DmaResult DmaMaster::read(uint64_t iova, uint64_t size, bool no_snoop) {
  qk_.reset();
  DmaResult r = transfer(tlm::TLM_READ_COMMAND, iova, size, no_snoop, kNoTag, 0, qk_);
  qk_.sync();
  return r;
}

DmaResult DmaMaster::write(uint64_t iova, uint64_t size, bool no_snoop, TagId tag) {
  qk_.reset();
  DmaResult r = transfer(tlm::TLM_WRITE_COMMAND, iova, size, no_snoop, tag, 0, qk_);
  qk_.sync();
  return r;
}

DmaResult DmaMaster::transfer(tlm::tlm_command cmd, uint64_t iova, uint64_t size,
                              bool no_snoop, TagId tag, uint32_t engine,
                              QuantumKeeper& timeline, Completion completion) {
  if (iova % kLineBytes != 0 || size % kLineBytes != 0)
    throw std::invalid_argument("DMA transfers are whole, aligned lines");
  DmaResult result;
  std::vector<unsigned char> buffer(config_.request_bytes);
  tlm::tlm_generic_payload trans;
  auto* attrs = new RequestAttributes;  // owned by `trans`
  attrs->initiator = Initiator::device;
  attrs->stream_id = stream_id_;
  attrs->principal = owner_;
  attrs->no_snoop = no_snoop && (nosnoop_enable_ || !honours_nosnoop_enable_);
  trans.set_extension(attrs);
  const LineValue written{cmd == tlm::TLM_WRITE_COMMAND ? versions_->next() : 0, owner_, tag};

  InFlight& tags = engines_[engine];
  tags.done.resize(config_.outstanding, 0);
  Picos last_done = global_picos() + to_picos(timeline.get_local_time());
  const bool write = cmd == tlm::TLM_WRITE_COMMAND;
  // Runs of one-line requests, on a payload of their own, which owns its
  // extensions.
  const bool runs = config_.runs && config_.request_bytes == kLineBytes;
  tlm::tlm_generic_payload run_trans;
  LineFill* fill = nullptr;
  PacedReads* reads = nullptr;
  if (runs) {
    run_trans.set_extension(new RequestAttributes(*attrs));
    if (write) {
      fill = new LineFill;
      fill->value = written;
      fill->device_run = true;
      run_trans.set_extension(fill);
    } else {
      reads = new PacedReads;
      reads->values = &result.values;
      run_trans.set_extension(reads);
    }
  }
  uint64_t runs_from = 0;  // after a declined run: the offset where runs are offered again
  for (uint64_t offset = 0; offset < size;) {
    if (runs && offset >= runs_from) {
      const std::optional<uint64_t> taken =
          write ? write_run(run_trans, *fill, iova + offset, size - offset, engine, timeline,
                            last_done, result)
                : read_run(run_trans, *reads, iova + offset, size - offset, engine, tags,
                           timeline, last_done, result);
      if (taken && *taken > 0) {
        offset += *taken * kLineBytes;
        if (timeline.need_sync()) timeline.sync_or_pass();
        continue;
      }
      if (taken) runs_from = ((iova + offset) / kPageBytes + 1) * kPageBytes - iova;
    }
    const Picos global = global_picos();
    const Picos ready = global + to_picos(timeline.get_local_time());
    const uint64_t bytes = std::min(config_.request_bytes, size - offset);
    const uint64_t lines = bytes / kLineBytes;
    if (write)
      for (uint64_t i = 0; i < lines; ++i) put_line(buffer.data(), i, written);
    trans.set_command(cmd);
    trans.set_address(iova + offset);
    trans.set_data_ptr(buffer.data());
    trans.set_data_length(bytes);
    trans.set_streaming_width(bytes);
    trans.set_byte_enable_ptr(nullptr);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    // A read waits for its tag; a posted write only for the link.
    Picos* tag = nullptr;
    if (!write) {
      tag = &tags.done[tags.next];
      tags.next = tags.next + 1 == config_.outstanding ? 0 : tags.next + 1;
    }
    const PcieLink::Upstream up =
        link_.send_up(tag ? std::max(ready, *tag) : ready,
                      write ? link_.write_time(bytes) : link_.read_request_time());
    sc_core::sc_time delay = from_picos(up.arrived - global);
    out_.b_transport(trans, delay);
    const bool failed = trans.is_response_error();
    const Picos answered = global + to_picos(delay);
    // A write is done when it reached memory; a read when its completions
    // reached the device.
    const Picos done =
        write ? answered : link_.send_down(answered, link_.completions_time(failed ? 0 : bytes));
    if (tag) *tag = done;
    last_done = std::max(last_done, done);
    // The engine may issue again once the link is free and, for a read, the
    // next tag is.
    const Picos next = write ? link_.up_free() : std::max(link_.up_free(), tags.done[tags.next]);
    timeline.set(from_picos(next - global));
    ++stats_.requests;
    if (observer_)
      observer_->device_request(
          {stream_id_, engine, iova + offset, bytes, write, failed, up.sent, done});
    if (failed) {
      ++result.faults;
      ++stats_.faults;
    }
    result.lines += lines;
    for (uint64_t i = 0; i < lines && !failed; ++i) {
      result.last = write ? written : get_line(buffer.data(), i);
      result.values.add(result.last);
    }
    (write ? stats_.lines_written : stats_.lines_read) += lines;
    offset += bytes;
    if (timeline.need_sync()) timeline.sync_or_pass();
  }
  // The transfer is done when its last request is.
  const Picos global = global_picos();
  if (completion == Completion::wait && last_done > global + to_picos(timeline.get_local_time()))
    timeline.set(from_picos(last_done - global));
  return result;
}

namespace {

constexpr uint64_t kMaxRunBytes = 2ull << 20;

// `trans` as a run of `count` lines from `iova`: its extension says of what.
void aim_run(tlm::tlm_generic_payload& trans, uint64_t iova, uint64_t count) {
  trans.set_command(tlm::TLM_IGNORE_COMMAND);
  trans.set_address(iova);
  trans.set_data_ptr(nullptr);
  trans.set_data_length(count * kLineBytes);
  trans.set_streaming_width(count * kLineBytes);
  trans.set_byte_enable_ptr(nullptr);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace

// A read run's requests as the line path issues them: each waits for its tag
// and the link, and once answered its completions go down the link; after
// each, the engine's sync point is passed, or the run stops there if the
// engine would sync and let another process run.
class DmaMaster::ReadPace final : public ReadPacer {
 public:
  ReadPace(PcieLink& link, InFlight& tags, QuantumKeeper& timeline, Picos ready)
      : link_(link), tags_(tags), timeline_(timeline), ready_(ready),
        pending_(timeline.others_pending()), sync_at_(timeline.next_sync()),
        request_wire_(link.read_request_time()),
        completion_wire_(link.completions_time(kLineBytes)) {}

  Picos arrival(uint64_t i) override {
    tag_ = &tags_.done[tags_.next];
    tags_.next = tags_.next + 1 == tags_.done.size() ? 0 : tags_.next + 1;
    const PcieLink::Upstream up = link_.send_up(std::max(ready_, *tag_), request_wire_);
    if (i == 0) first_sent_ = up.sent;
    return up.arrived;
  }
  bool answered(uint64_t, Picos at) override {
    const Picos done = link_.send_down(at, completion_wire_);
    *tag_ = done;
    last_done_ = std::max(last_done_, done);
    ready_ = std::max(link_.up_free(), tags_.done[tags_.next]);
    if (ready_ < sync_at_) return true;
    if (pending_ <= ready_) return false;  // the engine syncs here
    timeline_.pass_sync_point_at(ready_);
    sync_at_ = timeline_.next_sync();
    return true;
  }

  Picos ready() const { return ready_; }
  Picos first_sent() const { return first_sent_; }
  Picos last_done() const { return last_done_; }

 private:
  PcieLink& link_;
  InFlight& tags_;
  QuantumKeeper& timeline_;
  Picos ready_;  // when the engine may issue its next read
  Picos pending_, sync_at_;
  const Picos request_wire_, completion_wire_;  // the same for every read of a line
  Picos* tag_ = nullptr;
  Picos first_sent_ = 0, last_done_ = 0;
};

void DmaMaster::count_run(const DeviceRequestRun& run, DmaResult& result) {
  stats_.requests += run.count;
  (run.write ? stats_.lines_written : stats_.lines_read) += run.count;
  run_lines_ += run.count;
  result.lines += run.count;
  if (observer_) observer_->device_request_run(run);
}

std::optional<uint64_t> DmaMaster::read_run(tlm::tlm_generic_payload& trans, PacedReads& reads,
                                            uint64_t iova, uint64_t bytes, uint32_t engine,
                                            InFlight& tags, QuantumKeeper& timeline,
                                            Picos& last_done, DmaResult& result) {
  const uint64_t count = std::min(bytes, kMaxRunBytes) / kLineBytes;
  if (count < 2) return std::nullopt;
  const Picos global = global_picos();
  ReadPace pace(link_, tags, timeline, global + to_picos(timeline.get_local_time()));
  aim_run(trans, iova, count);
  reads.pacer = &pace;
  reads.lines_taken = 0;
  reads.added = 0;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // each line arrives as the pace says
  out_.b_transport(trans, delay);
  const uint64_t taken = reads.lines_taken;
  if (taken == 0) return 0;
  last_done = std::max(last_done, pace.last_done());
  timeline.set(from_picos(pace.ready() - global));
  result.last = reads.last;
  count_run({stream_id_, engine, iova, kLineBytes, taken, false, pace.first_sent(),
             pace.last_done()},
            result);
  return taken;
}

std::optional<uint64_t> DmaMaster::write_run(tlm::tlm_generic_payload& trans, LineFill& fill,
                                             uint64_t iova, uint64_t bytes, uint32_t engine,
                                             QuantumKeeper& timeline, Picos& last_done,
                                             DmaResult& result) {
  const Picos global = global_picos();
  const Picos ready = global + to_picos(timeline.get_local_time());
  const Picos wire = link_.write_time(kLineBytes);
  const Picos first_sent = std::max(ready, link_.up_free());
  // Write j leaves the link free at free_after(j), the engine's time after
  // it. Past a sync point, the engine syncs if another process has activity
  // pending by then and passes the point otherwise; the run ends with the
  // first write after which it would sync. (No process runs during the run,
  // so what is pending stays as it is.)
  auto free_after = [&](uint64_t j) { return first_sent + (j + 1) * wire; };
  // The first write from `from` on that leaves the link free at or past `sync_at`.
  auto crossing = [&](Picos sync_at, uint64_t from) {
    const uint64_t j = sync_at > first_sent + wire ? (sync_at - first_sent - 1) / wire : 0;
    return std::max(j, from);
  };
  const Picos pending = timeline.others_pending();
  // At most what one IOTLB entry of 2 MiB translates, so the sync points of
  // the lines offered are few (they are worked out one at a time).
  uint64_t count = std::min(bytes, kMaxRunBytes) / kLineBytes;
  for (Picos sync_at = timeline.next_sync();;) {
    const uint64_t j = crossing(sync_at, 0);
    if (j >= count) break;
    sync_at = QuantumKeeper::sync_point_after(free_after(j));
    // (Under a zero quantum every write is at a sync point: the run ends at the first.)
    if (pending <= free_after(j) || sync_at <= free_after(j)) {
      count = j + 1;
      break;
    }
  }
  if (count < 2) return std::nullopt;
  aim_run(trans, iova, count);
  fill.step = wire;
  fill.lines_taken = 0;
  sc_core::sc_time delay = from_picos(first_sent + wire + link_.config().latency - global);
  out_.b_transport(trans, delay);
  const uint64_t taken = fill.lines_taken;
  if (taken == 0) return 0;
  const PcieLink::Upstream up = link_.send_up_run(ready, wire, taken);
  const Picos done = global + to_picos(delay);
  last_done = std::max(last_done, done);
  // The sync points the engine passed before the run's last write; after
  // that write, the caller decides as after any request.
  for (uint64_t j = crossing(timeline.next_sync(), 0); j + 1 < taken;
       j = crossing(timeline.next_sync(), j + 1))
    timeline.pass_sync_point_at(free_after(j));
  timeline.set(from_picos(link_.up_free() - global));
  result.values.add(fill.value, taken);
  result.last = fill.value;
  count_run({stream_id_, engine, iova, kLineBytes, taken, true, up.sent, done}, result);
  return taken;
}

}  // namespace iocsim::models
