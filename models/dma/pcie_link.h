// SPDX-License-Identifier: GPL-2.0-only
// A device's PCIe link to its root port: two directions, each carrying one
// TLP at a time at the link's rate, and a fixed latency from the device's
// transaction layer to the root complex's (and back).
//
// What a TLP costs on the wire is its payload plus the per-TLP overhead the
// pcie-bench model counts (Neugebauer et al., SIGCOMM 2018, model/pcie.py;
// docs/hardware-parameters.md 12): 8 bytes of framing, sequence number and
// LCRC, a 4-byte TLP header and, for a memory read or write with a 64-bit
// address, 12 more bytes (24 in all) or, for a completion, 8 more (20 in all).
// Upstream (device to root complex) carries read requests and posted writes
// cut at the maximum payload size; downstream carries read completions cut at
// the read completion boundary.
//
// Not modelled: flow-control credits, ACK and flow-control DLLPs, SKIP ordered
// sets (together a few percent of the link), replays, and the FLIT mode of
// PCIe 6.0 (so generations 1 to 5 only).
#pragma once

#include <cstdint>

#include "base/params.h"
#include "base/picos.h"

namespace iocsim::models {

struct PcieLinkConfig {
  uint32_t gen = 4;             // PCIe generation, 1..5
  uint32_t width = 4;           // lanes
  Picos latency = 100'000;      // one way, transaction layer to transaction layer
  uint64_t max_payload = 256;   // bytes per write TLP
  uint64_t read_completion = 64;  // bytes per read completion

  static void declare(params::Catalog& catalog);
  static PcieLinkConfig from(const params::Set& set);
};

class PcieLink {
 public:
  // TLP overheads on the wire (see the header comment).
  static constexpr uint64_t kRequestOverhead = 24;     // memory read or write, 64-bit address
  static constexpr uint64_t kCompletionOverhead = 20;  // completion, with or without data

  explicit PcieLink(const PcieLinkConfig& config);

  // Wire time of `bytes` (a whole TLP) in one direction.
  Picos wire_time(uint64_t bytes) const;
  // Upstream wire time of a read request, and of a write of `payload` bytes.
  Picos read_request_time() const { return wire_time(kRequestOverhead); }
  Picos write_time(uint64_t payload) const;
  // Downstream wire time of the completions of a read of `payload` bytes
  // (a read the root complex rejects: one completion without data).
  Picos completions_time(uint64_t payload) const;

  // What the link adds to an idle read of `payload` bytes: the request's and
  // the completions' wire times and the latency both ways.
  Picos idle_read_time(uint64_t payload) const {
    return read_request_time() + completions_time(payload) + 2 * config_.latency;
  }

  // TLPs sent upstream: when the link started sending them and when the last
  // reached the root complex's transaction layer.
  struct Upstream {
    Picos sent = 0, arrived = 0;
  };
  // Sends `wire` worth of TLPs upstream no sooner than `at`, once the link is
  // free.
  Upstream send_up(Picos at, Picos wire);
  // send_up() of `count` TLPs of `wire` each, the first no sooner than `at`
  // and each next as soon as the link is free: when the first started and
  // when the last arrived.
  Upstream send_up_run(Picos at, Picos wire, uint64_t count);
  // Sends completions downstream, no sooner than their data is ready at the
  // root complex at `ready`: returns when the last has reached the device.
  Picos send_down(Picos ready, Picos wire);

  // When the upstream direction can take the next TLP.
  Picos up_free() const { return up_free_; }
  const PcieLinkConfig& config() const { return config_; }
  // Data bytes per second in one direction, before TLP overheads.
  double bytes_per_second() const;

 private:
  PcieLinkConfig config_;
  Picos up_free_ = 0, down_free_ = 0;
};

}  // namespace iocsim::models
