// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/memory_controller.h"

#include <algorithm>

#include "models/common/attributes.h"

namespace iocsim::models {

void MemoryConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::size("memory.size", "physical memory size", kPageBytes));
  catalog.declare(Spec::duration("memory.latency",
                                 "DRAM access time of one line once the data bus is granted"));
  catalog.declare(Spec::duration("memory.line_transfer",
                                 "data-bus occupancy of one 64-byte line (sets peak bandwidth)", 1));
}

MemoryConfig MemoryConfig::from(const params::Set& set) {
  return {set.size("memory.size"), set.picos("memory.latency"),
          set.picos("memory.line_transfer")};
}

MemoryController::MemoryController(sc_core::sc_module_name name, const MemoryConfig& config,
                                   CoherenceObserver* observer)
    : sc_module(name), socket("socket"), config_(config), observer_(observer) {
  socket.register_b_transport(this, &MemoryController::b_transport);
  socket.register_transport_dbg(this, &MemoryController::transport_dbg);
}

bool MemoryController::check(tlm::tlm_generic_payload& trans) const {
  uint64_t addr = trans.get_address();
  uint64_t len = trans.get_data_length();
  if (len == 0 || addr % kLineBytes != 0 || len % kLineBytes != 0 ||
      trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (addr >= config_.size || len > config_.size - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  return true;
}

void MemoryController::b_transport(int, tlm::tlm_generic_payload& trans,
                                   sc_core::sc_time& delay) {
  if (!check(trans)) return;
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  const Picos arrive = to_picos(sc_core::sc_time_stamp() + delay);
  const Picos start = std::max(arrive, bus_free_at_);
  const Picos transfer = lines * config_.line_transfer;
  bus_free_at_ = start + transfer;
  stats_.bus_busy += transfer;
  const Picos done = start + config_.latency + transfer;

  unsigned char* data = trans.get_data_ptr();
  const uint64_t addr = trans.get_address();
  if (trans.is_read()) {
    for (uint64_t i = 0; i < lines; ++i) put_line(data, i, store_.read(addr + i * kLineBytes));
    stats_.reads += lines;
  } else if (trans.is_write()) {
    auto* attrs = trans.get_extension<RequestAttributes>();
    MemoryWriter who = attrs && attrs->initiator == Initiator::device ? MemoryWriter::device
                                                                      : MemoryWriter::writeback;
    for (uint64_t i = 0; i < lines; ++i) {
      LineValue v = get_line(data, i);
      store_.write(addr + i * kLineBytes, v);
      if (observer_) observer_->memory_write(addr + i * kLineBytes, v, who, done);
    }
    stats_.writes += lines;
  }
  delay = from_picos(done) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int MemoryController::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  if (!check(trans)) return 0;
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  unsigned char* data = trans.get_data_ptr();
  for (uint64_t i = 0; i < lines; ++i) {
    uint64_t pa = trans.get_address() + i * kLineBytes;
    if (trans.is_read()) put_line(data, i, store_.read(pa));
    else if (trans.is_write()) store_.write(pa, get_line(data, i));
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned int>(trans.get_data_length());
}

}  // namespace iocsim::models
