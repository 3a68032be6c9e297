// SPDX-License-Identifier: GPL-2.0-only
// A DMA-capable PCIe device: issues reads and writes of whole lines at IOVAs,
// in requests of `request_bytes`, over its own PCIe link (pcie_link.h)
// through the IOMMU unit it is bound to. Each thread that drives it (the
// scenario's steps, background actors) is one DMA engine with its own
// timeline; the engines share the device's link.
//
// A read is non-posted: its request TLP crosses the link, the IOMMU and the
// memory system answer it, and its completions come back over the link. An
// engine keeps up to `outstanding` reads in flight (PCIe tags): a read waits
// for the one `outstanding` before it to complete, within a transfer and,
// for an engine that does not wait for its transfers (a background actor),
// across them. A write is posted: the engine goes on once the link has sent
// it, and a transfer that waits is done when its last write has reached
// memory (the device's completion interrupt, itself a posted write, cannot
// pass the data: PCIe ordering rules). A request the IOMMU rejects still
// crosses the link, and a rejected read gets a completion without data.
//
// Every request carries the device's stream id, the principal that owns the
// device (whose data its writes are) and the No-Snoop attribute. Software can
// clear the device's PCIe No-Snoop enable (PCI_EXP_DEVCTL_NOSNOOP_EN); a
// device that honours it stops setting the attribute, one that does not
// keeps setting it (no capability tells which).
//
// Requests of one line come in runs. Writes: until the engine's next sync,
// write k goes out as soon as the link has sent write k - 1, so they reach
// the IOMMU unit a write's wire time apart, and the engine offers them at
// once (LineFill::device_run). Reads: the engine offers them with a pace
// (PacedReads) that issues each as its tag and the link allow, once the one
// before it was answered. The IOMMU unit takes the lines one IOTLB entry
// translates, up to the first that it, its observer or the caches cannot
// take at once, each line with the outcome it would have had alone, and the
// observer is shown the run's requests (device_request_run) instead of each.
// A run that is declined goes line by line up to the next 4 KiB of IOVA.
// A sync point that would let no other process run is passed, not synced.
//
// Called from SystemC threads; time advances through quantum keepers.
// Not modelled (yet): flow-control credits (posted writes are limited only by
// the link), a maximum read request size below `request_bytes`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/attributes.h"
#include "models/common/blocking_path.h"
#include "models/common/line_token.h"
#include "base/owner_tally.h"
#include "models/common/observer.h"
#include "base/params.h"
#include "base/stats.h"
#include "models/common/quantum_keeper.h"
#include "models/dma/pcie_link.h"

namespace iocsim::models {

struct DmaConfig {
  uint64_t request_bytes = kLineBytes;
  uint64_t outstanding = 1;  // reads an engine keeps in flight
  PcieLinkConfig link;
  // Offer runs of one-line requests to the IOMMU unit (see DmaMaster), which
  // changes nothing but the simulator's speed; the equivalence tests turn it
  // off to compare.
  bool runs = true;

  static void declare(params::Catalog& catalog);
  static DmaConfig from(const params::Set& set);
};

// What a transfer did, in memory that does not grow with its size.
struct DmaResult {
  uint64_t lines = 0;    // lines requested, faulted ones included
  uint64_t faults = 0;   // requests answered with an error
  // Lines that did not fault, by the owner of their data (read: what came
  // back; write: what was written).
  OwnerTally values;
  LineValue last;        // the value of the last line that did not fault
};

struct DmaStats {
  uint64_t requests = 0, lines_read = 0, lines_written = 0, faults = 0;
};

class DmaMaster : public sc_core::sc_module, public stats::Provider {
 public:
  tlm_utils::simple_initiator_socket<DmaMaster> socket;

  DmaMaster(sc_core::sc_module_name name, uint32_t stream_id, OwnerId owner,
            bool honours_nosnoop_enable, const DmaConfig& config, VersionClock& versions,
            CoherenceObserver* observer);

  // The PCIe No-Snoop enable in the device's control register, written by
  // the CPU at `at` (its time, which may run ahead of global time).
  void set_nosnoop_enable(bool enabled, Picos at);

  // A transfer by the steps' engine, which starts at global time and waits
  // until the transfer is done.
  DmaResult read(uint64_t iova, uint64_t size, bool no_snoop);
  // Writes `size` bytes of new data owned by the device's owner, tagged `tag`.
  DmaResult write(uint64_t iova, uint64_t size, bool no_snoop, TagId tag);

  // When a transfer returns: once its last request completed, or as soon as
  // the engine may issue its next request (its requests stay in flight).
  enum class Completion { wait, posted };
  // A transfer by engine number `engine` (not 0) on its own timeline
  // `timeline`, which the caller keeps and synchronises.
  DmaResult transfer(tlm::tlm_command cmd, uint64_t iova, uint64_t size, bool no_snoop,
                     TagId tag, uint32_t engine, QuantumKeeper& timeline,
                     Completion completion = Completion::wait);

  uint32_t stream_id() const { return stream_id_; }
  const DmaConfig& config() const { return config_; }
  const PcieLink& link() const { return link_; }
  const DmaStats& stats() const { return stats_; }
  // Lines of writes that went in runs the IOMMU unit took (for tests and
  // benchmarks: the statistics count them as their requests would).
  uint64_t run_lines() const { return run_lines_; }
  static constexpr const char* kStatsSection = "dma";
  const stats::Group& statistics() const override { return statistics_; }

 private:
  // Offers the IOMMU unit the one-line writes of `written` from `iova` (up to
  // `bytes`) that go out before the engine's next sync, and accounts for the
  // ones it takes as their requests would have. How many it took (0: it
  // declined), or nothing if fewer than two would go out.
  std::optional<uint64_t> write_run(tlm::tlm_generic_payload& trans, LineFill& fill,
                                    uint64_t iova, uint64_t bytes, uint32_t engine,
                                    QuantumKeeper& timeline, Picos& last_done, DmaResult& result);
  // What a run the IOMMU unit took adds to the statistics and `result`, and
  // its requests shown to the observer.
  void count_run(const DeviceRequestRun& run, DmaResult& result);
  struct InFlight;
  class ReadPace;
  // The same for one-line reads from `iova`, paced as the engine would issue
  // them (ReadPace): what memory reads goes into `result`.
  std::optional<uint64_t> read_run(tlm::tlm_generic_payload& trans, PacedReads& reads,
                                   uint64_t iova, uint64_t bytes, uint32_t engine,
                                   InFlight& tags, QuantumKeeper& timeline, Picos& last_done,
                                   DmaResult& result);

  uint32_t stream_id_;
  OwnerId owner_;
  bool honours_nosnoop_enable_;
  bool nosnoop_enable_ = true;
  DmaConfig config_;
  VersionClock* versions_;
  CoherenceObserver* observer_;
  BlockingPath out_{socket};
  QuantumKeeper qk_;  // the steps' engine
  PcieLink link_;
  // Per engine, the completion times of its last `outstanding` reads: read k
  // reuses the tag of read k - outstanding and cannot go out before that one
  // completed.
  struct InFlight {
    std::vector<Picos> done;
    uint64_t next = 0;  // the tag of the engine's next read (they are used in turn)
  };
  std::map<uint32_t, InFlight> engines_;
  DmaStats stats_;
  uint64_t run_lines_ = 0;
  stats::Group statistics_;
};

}  // namespace iocsim::models
