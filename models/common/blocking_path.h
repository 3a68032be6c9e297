// SPDX-License-Identifier: GPL-2.0-only
// An initiator socket's forward path, reduced once to the blocking-transport
// interface it is called through.
//
// `socket->b_transport(...)` goes from the bound tlm_fw_transport_if to its
// virtual base tlm_blocking_transport_if on every call: more dependent loads
// before each hop can start. A binding cannot change once elaboration is over,
// so the path resolves it on the first call and keeps it.
#pragma once

#include <systemc>
#include <tlm>

namespace iocsim::models {

class BlockingPath {
 public:
  using Port = sc_core::sc_port_b<tlm::tlm_fw_transport_if<>>;
  explicit BlockingPath(Port& socket) : socket_(&socket) {}

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (!target_) target_ = socket_->operator->();
    target_->b_transport(trans, delay);
  }

 private:
  Port* socket_;
  tlm::tlm_blocking_transport_if<>* target_ = nullptr;
};

}  // namespace iocsim::models
