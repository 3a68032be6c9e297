// SPDX-License-Identifier: GPL-2.0-only
// iocsim-bench-dma: how many 64-byte device requests per second the DMA path
// simulates (DMA master -> IOMMU unit with its IOTLB hitting -> cache or DRAM
// -> the oracle watching), against a baseline of the same number of
// b_transport calls to an empty TLM target under a quantum keeper: a request
// at a time ("DMA path", DmaConfig::runs off), and as the device moves runs
// of them ("DMA runs"). Prints one line per path; a benchmark, not a test:
// nothing is asserted.
//
//   iocsim-bench-dma [REQUESTS] [ROUNDS]   (default 2000000 requests, 5 rounds)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "analysis/oracle.h"
#include "models/cache/cache.h"
#include "models/dma/dma_master.h"
#include "models/iommu/iommu_unit.h"
#include "models/memory/memory_controller.h"
#include "models/common/line_token.h"

using namespace iocsim;

namespace {

constexpr uint64_t kPage = 4096;

// The baseline: a target that only answers (its latency built once, so the
// baseline runs as fast as a target can).
struct EmptyTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<EmptyTarget> socket{"socket"};
  const sc_core::sc_time latency{1, sc_core::SC_NS};
  explicit EmptyTarget(sc_core::sc_module_name name) : sc_module(name) {
    socket.register_b_transport(this, &EmptyTarget::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    delay += latency;
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct BareInitiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<BareInitiator> socket{"socket"};
  explicit BareInitiator(sc_core::sc_module_name name) : sc_module(name) {}
  void run(uint64_t requests) {
    tlm_utils::tlm_quantumkeeper qk;
    qk.reset();
    tlm::tlm_generic_payload trans;
    unsigned char data[64] = {};
    trans.set_command(tlm::TLM_READ_COMMAND);
    trans.set_data_ptr(data);
    trans.set_data_length(64);
    trans.set_streaming_width(64);
    for (uint64_t i = 0; i < requests; ++i) {
      trans.set_address((i % 64) * 64);
      trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = qk.get_local_time();
      socket->b_transport(trans, delay);
      qk.set(delay);
      if (qk.need_sync()) qk.sync();
    }
    qk.sync();
  }
};

struct Bench : sc_core::sc_module {
  SC_HAS_PROCESS(Bench);
  uint64_t requests;
  unsigned rounds;
  analysis::Oracle oracle;
  models::VersionClock versions;
  models::DomainIds ids;
  models::TablePlacement tables{8u << 20, 8u << 20};
  models::MemoryController memory{"memory", [] {
    models::MemoryConfig c;
    c.size = 1ull << 32;
    c.geometry = {2, 4, 4, 8192};
    c.timings = {13'750, 13'750, 13'750, 32'000, 2'500};  // DDR4-3200AA, as the default preset
    return c;
  }(), &oracle};
  // The default preset's hierarchy: 4 cores with L1D and L2, a non-inclusive 12 MiB LLC.
  models::Cache cache{"llc", [] {
    models::CacheConfig c{12u << 20, 12, 9'333, 333, 167};
    c.cores = 4;
    c.l1d = {48u << 10, 12, 1'667};
    c.l2 = {1280u << 10, 20, 3'000};
    c.inclusive = false;
    c.core_snoop = 10'000;
    return c;
  }(), &oracle};
  models::IommuUnit unit{"unit", {"intel-vtd", false, 0x40201000, 0, (1ull << 48) - 1, false, 4,
                                  true, {}, {}},
                         ids, tables, &oracle};
  models::DmaMaster device{"device", 1, 1, true, {64, 5'330, {1}, false}, versions, &oracle};
  models::DmaMaster runs_device{"runs_device", 2, 1, true, {64, 5'330, {1}, true}, versions,
                                &oracle};
  EmptyTarget empty{"empty"};
  BareInitiator bare{"bare"};
  BareInitiator idle_cpu{"idle_cpu"};  // a core on the cache's CPU side, idle here

  Bench(sc_core::sc_module_name name, uint64_t n, unsigned r)
      : sc_module(name), requests(n), rounds(r) {
    cache.mem_side.bind(memory.socket);
    idle_cpu.socket.bind(cache.cpu_side);
    unit.coherent_side.bind(cache.snoop_side);
    unit.direct_side.bind(memory.socket);
    device.socket.bind(unit.device_side);
    runs_device.socket.bind(unit.device_side);
    bare.socket.bind(empty.socket);
    SC_THREAD(run);
  }

  static double seconds(const std::function<void()>& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }

  void run() {
    const uint32_t d = unit.domain_alloc();
    unit.attach_device(d, 1, 0);
    unit.attach_device(d, 2, 0);
    oracle.register_device(1, 1);
    oracle.register_device(2, 1);
    // 16 pages fit the 128-entry IOTLB: every request after the first few hits.
    unit.map_pages(d, 0, 64u << 20, kPage, 16, true, true, 0);
    const uint64_t n = (requests + 16 * 64 - 1) / (16 * 64) * 16 * 64;
    // Rounds of the baseline and both paths back to back, so that each
    // ratio compares runs a moment apart, whatever the machine does between
    // rounds; the table takes the median of each.
    // Paths: 0 and 1 a request at a time (snooped, No-Snoop), 2 and 3 in runs.
    std::vector<double> base_rate, rate[4], ratio[4];
    for (unsigned round = 0; round < rounds; ++round) {
      const double base = requests / seconds([&] { bare.run(requests); });
      base_rate.push_back(base);
      for (int path = 0; path < 4; ++path) {
        models::DmaMaster& master = path < 2 ? device : runs_device;
        const double r = n / seconds([&] {
          for (uint64_t done = 0; done < requests; done += 16 * 64)
            master.read(0, 16 * kPage, path % 2 == 1);
        });
        rate[path].push_back(r);
        ratio[path].push_back(r / base);
      }
    }
    std::printf("%u rounds; each line is the median of its rounds\n", rounds);
    auto line = [&](const char* what, uint64_t count, double r) {
      std::printf("%-36s %10llu requests %8.2f M requests/s\n", what,
                  static_cast<unsigned long long>(count), r / 1e6);
    };
    line("baseline: empty target", requests, median(base_rate));
    const char* names[4] = {"DMA path, snooped (through the LLC)", "DMA path, No-Snoop (to DRAM)",
                            "DMA runs, snooped (through the LLC)", "DMA runs, No-Snoop (to DRAM)"};
    for (int path = 0; path < 4; ++path) {
      line(names[path], n, median(rate[path]));
      std::printf("%-36s %.3f of the baseline's rate (ratios from %.3f to %.3f)\n", "",
                  median(ratio[path]), *std::min_element(ratio[path].begin(), ratio[path].end()),
                  *std::max_element(ratio[path].begin(), ratio[path].end()));
    }
  }
};

}  // namespace

extern "C" int sc_main(int argc, char* argv[]) {
  const uint64_t requests = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const unsigned rounds = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 5;
  if (requests == 0 || rounds == 0) {
    std::fprintf(stderr, "usage: iocsim-bench-dma [REQUESTS > 0] [ROUNDS > 0]\n");
    return 2;
  }
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  Bench bench("bench", requests, rounds);
  sc_core::sc_start();
  return 0;
}
