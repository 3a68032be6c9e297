// SPDX-License-Identifier: GPL-2.0-only
#include "models/dma/dma_actor.h"

#include <algorithm>
#include <stdexcept>

#include "models/common/quantum_keeper.h"
#include "models/common/time.h"

namespace iocsim::models {

DmaActor::DmaActor(std::string name, DmaMaster& device, const DmaActorConfig& config)
    : device_(&device),
      config_(config),
      request_bytes_(config.pattern == DmaPattern::probe ? kLineBytes
                                                         : device.config().request_bytes),
      random_(config.seed),
      statistics_("actor." + name) {
  if (config.size == 0 || config.size % kLineBytes || config.iova % kLineBytes)
    throw std::invalid_argument("a DMA actor's range must be whole, aligned lines");
  statistics_.add("requests", stats_.requests);
  statistics_.add("lines", stats_.lines);
  statistics_.add("faulted_requests", stats_.faulted_requests);
}

std::pair<uint64_t, uint64_t> DmaActor::next() {
  if (config_.pattern == DmaPattern::random) {
    const uint64_t slots = (config_.size + request_bytes_ - 1) / request_bytes_;
    const uint64_t offset = std::uniform_int_distribution<uint64_t>(0, slots - 1)(random_) *
                            request_bytes_;
    return {offset, std::min(request_bytes_, config_.size - offset)};
  }
  const uint64_t offset = offset_;
  const uint64_t bytes = std::min(request_bytes_, config_.size - offset);
  offset_ = offset + bytes == config_.size ? 0 : offset + bytes;
  return {offset, bytes};
}

void DmaActor::run(const std::function<bool(Picos now)>& stop) {
  QuantumKeeper timeline;
  timeline.reset();
  stats_.started = to_picos(timeline.get_current_time());
  const tlm::tlm_command cmd = config_.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND;
  while (!stop(to_picos(timeline.get_current_time()))) {
    const Picos start = to_picos(timeline.get_current_time());
    const auto [offset, bytes] = next();
    const DmaResult r = device_->transfer(cmd, config_.iova + offset, bytes, config_.no_snoop,
                                          config_.tag, config_.engine, timeline,
                                          DmaMaster::Completion::posted);
    ++stats_.requests;
    stats_.lines += bytes / kLineBytes;
    stats_.faulted_requests += r.faults;
    const Picos now = to_picos(timeline.get_current_time());
    if (now < start + config_.every) timeline.inc(from_picos(start + config_.every - now));
    if (timeline.need_sync()) timeline.sync();
  }
  stats_.stopped = to_picos(timeline.get_current_time());
  timeline.sync();
}

}  // namespace iocsim::models
