// SPDX-License-Identifier: GPL-2.0-only
// A tiny SystemC test bench: an initiator to drive a model's socket by hand,
// an observer that records what models report, and a way to run a test body
// inside a SystemC thread (one simulation per test process).
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/attributes.h"
#include "models/common/observer.h"
#include "models/memory/memory_controller.h"
#include "models/common/time.h"
#include "models/common/line_token.h"

namespace iocsim::test {

// Runs `body` in an SC_THREAD; exceptions (failed REQUIREs) reach the caller.
class Bench : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Bench);
  Bench(sc_core::sc_module_name name, std::function<void()> body)
      : sc_module(name), body_(std::move(body)) {
    SC_THREAD(main);
  }
  std::exception_ptr failure;

 private:
  void main() {
    try {
      body_();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  std::function<void()> body_;
};

inline void run_bench(std::function<void()> body) {
  Bench bench("bench", std::move(body));
  sc_core::sc_start();
  if (bench.failure) std::rethrow_exception(bench.failure);
}

// Issues single transactions on a socket, as any initiator would.
class Initiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Initiator> socket;
  explicit Initiator(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

  // One transaction of whole lines at `addr`; returns the response status.
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr,
                                  std::vector<LineValue>& lines, sc_core::sc_time& delay,
                                  const models::RequestAttributes* attrs = nullptr,
                                  models::CacheMaintenance* op = nullptr) {
    std::vector<unsigned char> data(lines.size() * kLineBytes);
    for (size_t i = 0; i < lines.size(); ++i) models::put_line(data.data(), i, lines[i]);
    tlm::tlm_generic_payload trans;
    trans.set_command(cmd);
    trans.set_address(addr);
    trans.set_data_ptr(data.data());
    trans.set_data_length(data.size());
    trans.set_streaming_width(data.size());
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (attrs) trans.set_extension(new models::RequestAttributes(*attrs));
    if (op) trans.set_extension(op);
    socket->b_transport(trans, delay);
    if (op) trans.clear_extension(op);
    for (size_t i = 0; i < lines.size(); ++i) lines[i] = models::get_line(data.data(), i);
    return trans.get_response_status();
  }
};

// A LineFill of `lines` lines of `value` at `addr`, issued `step` apart, on `socket`.
inline tlm::tlm_response_status fill(tlm_utils::simple_initiator_socket<Initiator>& socket,
                                     uint64_t addr, uint64_t lines, const LineValue& value,
                                     Picos step, sc_core::sc_time& delay) {
  models::LineFill run;
  run.value = value;
  run.step = step;
  tlm::tlm_generic_payload trans;
  trans.set_command(tlm::TLM_IGNORE_COMMAND);
  trans.set_address(addr);
  trans.set_data_length(lines * kLineBytes);
  trans.set_streaming_width(lines * kLineBytes);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  trans.set_extension(&run);
  socket->b_transport(trans, delay);
  trans.clear_extension(&run);
  return trans.get_response_status();
}

struct RecordingObserver : models::CoherenceObserver {
  struct MemoryWrite {
    uint64_t pa;
    LineValue value;
    models::MemoryWriter who;
    Picos at;
  };
  std::vector<MemoryWrite> memory_writes;
  std::vector<models::DeviceAccess> device_accesses;
  std::vector<models::DeviceRequest> device_requests;
  std::vector<uint64_t> cpu_stores;
  std::vector<std::string> residency;  // "fill 0x40", "drop 0x40"
  std::vector<std::string> iotlb;      // "stale 0x1000", "dropped 0x1000" (IOVAs)
  unsigned faults = 0;

  void memory_write(uint64_t pa, const LineValue& v, models::MemoryWriter who, Picos at) override {
    memory_writes.push_back({pa, v, who, at});
  }
  void device_access(const models::DeviceAccess& a) override { device_accesses.push_back(a); }
  void device_request(const models::DeviceRequest& r) override { device_requests.push_back(r); }
  void cpu_store(uint64_t pa, const LineValue&, Picos) override { cpu_stores.push_back(pa); }
  std::vector<std::pair<uint64_t, Picos>> fill_times;  // (pa, when its data arrived)
  void cache_line_filled(uint64_t pa, const LineValue&, Picos at) override {
    residency.push_back("fill " + hex(pa));
    fill_times.emplace_back(pa, at);
  }
  void cache_line_dropped(uint64_t pa, Picos) override { residency.push_back("drop " + hex(pa)); }
  static std::string hex(uint64_t v) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(v));
    return text;
  }
  void translation_fault(uint32_t, uint64_t, bool, Picos) override { ++faults; }
  void iotlb_entry_stale(uint32_t, uint64_t iova, uint64_t, uint64_t, bool, Picos) override {
    iotlb.push_back("stale " + hex(iova));
  }
  void iotlb_entry_dropped(uint32_t, uint64_t iova, Picos) override {
    iotlb.push_back("dropped " + hex(iova));
  }
};

// Memory with one channel and one bank whose every access costs `latency`
// and then `transfer` of bus time, whatever row it is in: the fixed-latency
// memory the cache, IOMMU and DMA test benches assume.
inline models::MemoryConfig flat_memory(uint64_t size, Picos latency, Picos transfer) {
  models::MemoryConfig c;
  c.size = size;
  c.timings.tCL = latency;
  c.timings.burst = transfer;
  return c;
}

inline Picos ps(const sc_core::sc_time& t) { return models::to_picos(t); }
inline sc_core::sc_time ns(double n) { return sc_core::sc_time(n, sc_core::SC_NS); }

}  // namespace iocsim::test
