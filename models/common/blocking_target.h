// SPDX-License-Identifier: GPL-2.0-only
// The forward interface of a module that is a loosely-timed target only, and
// the socket any number of initiators bind to it through.
//
// tlm_utils' multi_passthrough_target_socket reaches a module's b_transport
// through three indirect calls (the binder, a static trampoline, a member
// pointer); on the DMA path that is most of a hop's cost. A module that
// implements tlm_fw_transport_if itself and binds it to a plain
// tlm_target_socket is reached through one virtual call. It gives up what it
// did not use: the index of the initiator (every such target here answers all
// initiators alike) and the nonblocking protocol, which nothing in iocsim
// drives (every initiator is loosely timed).
#pragma once

#include <systemc>
#include <tlm>

namespace iocsim::models {

// Any number of initiators, including none (a platform may leave a target
// unused).
using FanInTargetSocket =
    tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND>;

class BlockingTarget : public tlm::tlm_fw_transport_if<> {
 public:
  // A nonblocking call is refused as a command error: completed at once, so an
  // initiator that tries it learns so instead of waiting for a phase that
  // never comes.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase&,
                                     sc_core::sc_time&) override {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) override {
    dmi.allow_none();
    return false;
  }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }

 protected:
  ~BlockingTarget() = default;
};

}  // namespace iocsim::models
