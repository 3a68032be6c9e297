// SPDX-License-Identifier: GPL-2.0-only
#include "models/dma/dma_master.h"

#include "models/common/time.h"

#include <algorithm>
#include <stdexcept>

namespace iocsim::models {

void DmaConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::size("dma.request_size", "bytes per device request (a multiple of 64)",
                             kLineBytes, kPageBytes)
                      .by_default("64B",
                                  "one cache line per request: the unit the caches and the "
                                  "oracle track"));
  catalog.declare(Spec::duration("dma.link_line_time",
                                 "time the device's link is busy per 64-byte line of a request")
                      .by_default("5.33ns",
                                  "a 64 B read completion is 84 B on a PCIe link (64 B of data, "
                                  "a 12 B header, 8 B of framing, sequence number and LCRC); "
                                  "PCIe 3.0 x16 carries 8 GT/s x 16 lanes x 128/130 = 15.75 GB/s, "
                                  "so 84 B take 5.33 ns (the integrated GPU's own fabric port "
                                  "is not published: unverified for it)"));
  catalog.declare(Spec::count("dma.outstanding",
                              "requests a DMA engine keeps in flight (a background actor: across "
                              "its transfers too)",
                              1, 4096)
                      .by_default("1",
                                  "a device that waits for each completion before it issues the "
                                  "next, as the scenarios' polling probers do (a modelling "
                                  "choice); PCIe allows up to 256 outstanding non-posted "
                                  "requests per function with extended tags (unverified here): "
                                  "raise it for a streaming engine"));
}

DmaConfig DmaConfig::from(const params::Set& set) {
  return {set.size("dma.request_size"), set.picos("dma.link_line_time"),
          set.count("dma.outstanding")};
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

  InFlight& slots = engines_[engine];
  slots.done.resize(config_.outstanding, 0);
  std::vector<Picos>& in_flight = slots.done;
  Picos last_done = global_picos() + to_picos(timeline.get_local_time());
  for (uint64_t offset = 0; offset < size; offset += config_.request_bytes) {
    const Picos global = global_picos();
    const uint64_t bytes = std::min(config_.request_bytes, size - offset);
    const uint64_t lines = bytes / kLineBytes;
    if (cmd == tlm::TLM_WRITE_COMMAND)
      for (uint64_t i = 0; i < lines; ++i) put_line(buffer.data(), i, written);
    trans.set_command(cmd);
    trans.set_address(iova + offset);
    trans.set_data_ptr(buffer.data());
    trans.set_data_length(bytes);
    trans.set_streaming_width(bytes);
    trans.set_byte_enable_ptr(nullptr);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    // The request goes out when the link is free and occupies it for its lines.
    Picos& slot = in_flight[slots.next];
    slots.next = slots.next + 1 == config_.outstanding ? 0 : slots.next + 1;
    const Picos issued =
        std::max({global + to_picos(timeline.get_local_time()), link_free_, slot});
    link_free_ = issued + lines * config_.link_line_time;
    sc_core::sc_time delay = from_picos(issued - global);
    out_.b_transport(trans, delay);
    const Picos done = std::max(global + to_picos(delay), link_free_);
    slot = done;
    last_done = std::max(last_done, done);
    // The engine is free to issue again once the next slot is.
    const Picos next = std::max(issued, in_flight[slots.next]);
    timeline.set(from_picos(next - global));
    ++stats_.requests;
    const bool failed = trans.is_response_error();
    if (observer_)
      observer_->device_request({stream_id_, engine, iova + offset, bytes,
                                 cmd == tlm::TLM_WRITE_COMMAND, failed, issued, done});
    if (failed) {
      ++result.faults;
      ++stats_.faults;
    }
    result.lines += lines;
    for (uint64_t i = 0; i < lines && !failed; ++i) {
      result.last = cmd == tlm::TLM_WRITE_COMMAND ? written : get_line(buffer.data(), i);
      result.values.add(result.last);
    }
    (cmd == tlm::TLM_READ_COMMAND ? stats_.lines_read : stats_.lines_written) += lines;
    if (timeline.need_sync()) timeline.sync();
  }
  // The transfer is done when its last request is.
  const Picos global = global_picos();
  if (completion == Completion::wait && last_done > global + to_picos(timeline.get_local_time()))
    timeline.set(from_picos(last_done - global));
  return result;
}

}  // namespace iocsim::models
