// SPDX-License-Identifier: GPL-2.0-only
#include "models/dma/pcie_link.h"

#include <algorithm>
#include <string>

namespace iocsim::models {
namespace {

// Transfers per second of one lane, in MT/s, by generation (PCIe Base
// Specification; pcie-bench model/pcie.py GTs).
constexpr uint64_t kMegaTransfers[] = {2'500, 5'000, 8'000, 16'000, 32'000};

// Line encoding: 8b/10b up to 5 GT/s, 128b/130b from PCIe 3.0 on.
struct Encoding {
  uint64_t data_bits, line_bits;
};
Encoding encoding(uint32_t gen) { return gen <= 2 ? Encoding{8, 10} : Encoding{128, 130}; }

}  // namespace

void PcieLinkConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  catalog.declare(Spec::choice("pcie.gen", "PCIe generation of a device's link",
                               {"1", "2", "3", "4", "5"})
                      .by_default("4",
                                  "Tiger Lake UP3's CPU root port is PCIe 4.0 (Intel ARK, Core "
                                  "i7-1185G7: PCI Express revision 4.0, up to 1x4); the "
                                  "integrated GPU's own fabric port is not published: "
                                  "unverified for it"));
  catalog.declare(Spec::choice("pcie.width", "lanes of a device's link",
                               {"1", "2", "4", "8", "16"})
                      .by_default("4", "Tiger Lake UP3's 4 CPU PCIe lanes (Intel ARK, as "
                                       "pcie.gen)"));
  catalog.declare(
      Spec::duration("pcie.latency",
                     "one way over a device's link: device transaction layer to the root "
                     "complex's, through both ends' data link and physical layers",
                     1)
          .by_default("100ns",
                      "an estimate, not a measurement (unverified): no vendor publishes a "
                      "port-to-port figure; a PCIe 3.0/4.0 controller runs its datapath at "
                      "250-500 MHz and a TLP crosses some 25-50 pipeline stages of "
                      "transaction, data link and PHY logic on the two ends together"));
  catalog.declare(Spec::size("pcie.max_payload", "largest payload of a posted write TLP (MPS)",
                             128, 4096)
                      .by_default("256B",
                                  "the Max_Payload_Size Intel root ports support and Linux "
                                  "configures (pcie-bench's NIC model uses 256 B as well; "
                                  "unverified for the preset's root port)"));
  catalog.declare(Spec::size("pcie.read_completion",
                             "data bytes per read completion TLP (the root complex cuts a "
                             "read's data at its read completion boundary)",
                             64, 4096)
                      .by_default("64B",
                                  "one completion per 64-byte line: a root complex fetches "
                                  "memory a cache line at a time and a Read Completion "
                                  "Boundary of 64 B allows a completion per line (PCIe Base "
                                  "Specification, RCB 64 or 128 B; pcie-bench model's "
                                  "rcb_chunks; unverified for the preset's root complex)"));
}

PcieLinkConfig PcieLinkConfig::from(const params::Set& set) {
  return {static_cast<uint32_t>(std::stoul(set.choice("pcie.gen"))),
          static_cast<uint32_t>(std::stoul(set.choice("pcie.width"))), set.picos("pcie.latency"),
          set.size("pcie.max_payload"), set.size("pcie.read_completion")};
}

PcieLink::PcieLink(const PcieLinkConfig& config) : config_(config) {}

Picos PcieLink::wire_time(uint64_t bytes) const {
  const Encoding e = encoding(config_.gen);
  // bits on the lanes / (transfers per ps of all lanes), rounded up so a TLP
  // never takes less than the wire allows.
  const uint64_t numerator = bytes * 8 * e.line_bits * 1'000'000;
  const uint64_t denominator = e.data_bits * kMegaTransfers[config_.gen - 1] * config_.width;
  return (numerator + denominator - 1) / denominator;
}

Picos PcieLink::write_time(uint64_t payload) const {
  Picos t = 0;
  for (uint64_t sent = 0; sent < payload; sent += config_.max_payload)
    t += wire_time(kRequestOverhead + std::min(config_.max_payload, payload - sent));
  return t;
}

Picos PcieLink::completions_time(uint64_t payload) const {
  if (payload == 0) return wire_time(kCompletionOverhead);
  Picos t = 0;
  for (uint64_t sent = 0; sent < payload; sent += config_.read_completion)
    t += wire_time(kCompletionOverhead + std::min(config_.read_completion, payload - sent));
  return t;
}

// A TLP is checked (LCRC) only once all of it has arrived, so it crosses the
// link in its wire time and then the latency.
PcieLink::Upstream PcieLink::send_up(Picos at, Picos wire) {
  const Picos start = std::max(at, up_free_);
  up_free_ = start + wire;
  return {start, up_free_ + config_.latency};
}

PcieLink::Upstream PcieLink::send_up_run(Picos at, Picos wire, uint64_t count) {
  const Picos start = std::max(at, up_free_);
  up_free_ = start + count * wire;
  return {start, up_free_ + config_.latency};
}

Picos PcieLink::send_down(Picos ready, Picos wire) {
  const Picos start = std::max(ready, down_free_);
  down_free_ = start + wire;
  return down_free_ + config_.latency;
}

double PcieLink::bytes_per_second() const {
  const Encoding e = encoding(config_.gen);
  return static_cast<double>(kMegaTransfers[config_.gen - 1]) * 1e6 * config_.width *
         static_cast<double>(e.data_bits) / static_cast<double>(e.line_bits) / 8.0;
}

}  // namespace iocsim::models
