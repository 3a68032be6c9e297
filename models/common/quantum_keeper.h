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
  // Whether a sync now would let another process run: some process has
  // activity pending no later than the time the sync would wait until.
  bool sync_lets_others_run() const {
    return to_picos(sc_core::sc_time_to_pending_activity(sc_core::sc_get_curr_simcontext())) <=
           to_picos(m_local_time);
  }
  // What sync() leaves of the keeper's state, without the wait: the next
  // sync point is the first quantum boundary after the current time, as
  // reset() computes it once global time has caught up. Only for a sync
  // that would let no one else run, so that no one sees the difference.
  void pass_sync_point() { pass_sync_point_at(global_picos() + to_picos(m_local_time)); }
  // pass_sync_point() as it would have been at `now` (no earlier than the
  // last sync point and no later than the current time): for an initiator
  // that works out its syncs for several requests at once.
  void pass_sync_point_at(Picos now) { m_next_sync_point = from_picos(sync_point_after(now)); }
  // The sync point pass_sync_point_at(now) leaves: the first quantum boundary
  // after `now` (`now` itself under a zero quantum).
  static Picos sync_point_after(Picos now) {
    const Picos quantum = to_picos(tlm::tlm_global_quantum::instance().get());
    return quantum ? (now / quantum + 1) * quantum : now;
  }
  // When another process has activity pending (global time plus
  // sc_time_to_pending_activity): sync_lets_others_run() once the keeper's
  // current time reaches it, while no process runs in between.
  Picos others_pending() const {
    const Picos global = global_picos();
    const Picos ahead =
        to_picos(sc_core::sc_time_to_pending_activity(sc_core::sc_get_curr_simcontext()));
    return ahead > UINT64_MAX - global ? UINT64_MAX : global + ahead;  // none: sc_max_time()
  }
  // At a sync point, syncs if that lets another process run and passes it
  // otherwise (a sync that would only move global time is left out: global
  // time catches up at the first sync that lets someone else run).
  void sync_or_pass() {
    if (sync_lets_others_run()) sync();
    else pass_sync_point();
  }
};

}  // namespace iocsim::models
