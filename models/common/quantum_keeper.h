// SPDX-License-Identifier: GPL-2.0-only
// The quantum keeper of iocsim's initiator threads: tlm_quantumkeeper, final.
//
// Every tlm_quantumkeeper member is virtual, so each call on the request path
// (local time, set, need_sync: several per request) was an indirect call,
// and need_sync() called the library's sc_time_stamp(). Final, the calls are
// direct and inline; need_sync() reads global time as global_picos() does.
// Its decisions are the base class's: sync once global plus local time
// reaches the next sync point.
#pragma once

#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/common/time.h"

namespace iocsim::models {

class QuantumKeeper final : public tlm_utils::tlm_quantumkeeper {
 public:
  bool need_sync() const override {
    return global_picos() + to_picos(m_local_time) >= to_picos(m_next_sync_point);
  }
  // The time at or past which need_sync() says yes.
  Picos next_sync() const { return to_picos(m_next_sync_point); }
};

}  // namespace iocsim::models
