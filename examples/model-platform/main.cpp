// SPDX-License-Identifier: GPL-2.0-only
// A SystemC virtual platform of its own, built outside iocsim's tree
// against the installed package (find_package(iocsim), iocsim::models): a
// device reads a page it wrote through an IOMMU unit's translation, once
// with No-Snoop (straight to DRAM) and once snooping the LLC. It prints
// what the reads took and returns 0 if both returned the device's data.
#include <cstdio>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <iocsim/models/cache/cache.h>
#include <iocsim/models/common/observer.h>
#include <iocsim/models/dma/dma_master.h>
#include <iocsim/models/iommu/iommu_unit.h>
#include <iocsim/models/memory/memory_controller.h>

namespace {

using namespace iocsim;

constexpr uint32_t kStream = 3;  // the device's requester ID
constexpr OwnerId kOwner = 1;    // whose data the device writes
constexpr uint64_t kIova = 0x8000, kPa = 0x20000, kPage = 4096;

// What the models tell an observer (iocsim's oracle is one): here, the
// device's reads and whose data each line held.
struct DeviceReads : models::CoherenceObserver {
  uint64_t lines = 0, lines_of_owner = 0;
  void device_access(const models::DeviceAccess& a) override {
    if (a.write) return;
    ++lines;
    lines_of_owner += a.value.owner == kOwner;
  }
};

// No CPU in this platform: the LLC's CPU-side socket is bound to an
// initiator that issues nothing.
struct IdleCpu : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<IdleCpu> socket{"socket"};
  explicit IdleCpu(sc_core::sc_module_name name) : sc_module(name) {}
};

struct Platform : sc_core::sc_module {
  DeviceReads seen;
  models::VersionClock versions;
  models::DomainIds domain_ids;
  // 16 MiB of DRAM answering a line in 27.5 ns plus 1.25 ns of bus time.
  models::MemoryController memory{"memory", flat_memory(), &seen};
  // A 64 KiB, 4-way LLC: 14 ns hits, a line stored every 333 ps.
  models::Cache llc{"llc", {1u << 16, 4, 14'000, 333, 167}, &seen};
  models::TablePlacement tables{1u << 20, 1u << 20};  // page tables at 1 MiB
  // A VT-d unit without snoop control, 4 KiB pages over a 48-bit aperture.
  models::IommuUnit iommu{"iommu", {"intel-vtd", false, kPage, 0, (1ull << 48) - 1, false},
                          domain_ids, tables, &seen};
  // 128-byte requests, one read in flight, the default link.
  models::DmaMaster device{"device", kStream, kOwner, true, {128, 1, {}}, versions, &seen};
  IdleCpu cpu{"cpu"};
  double nosnoop_ns = 0, snooped_ns = 0;
  bool ok = false;

  SC_HAS_PROCESS(Platform);
  explicit Platform(sc_core::sc_module_name name) : sc_module(name) {
    cpu.socket.bind(llc.cpu_side);
    llc.mem_side.bind(memory.socket);
    iommu.coherent_side.bind(llc.snoop_side);
    iommu.direct_side.bind(memory.socket);
    device.socket.bind(iommu.device_side);
    SC_THREAD(run);
  }

  static models::MemoryConfig flat_memory() {
    models::MemoryConfig c;
    c.size = 1u << 24;
    c.timings.tCL = 27'500;   // ps
    c.timings.burst = 1'250;  // ps
    return c;
  }

  void run() {
    const uint32_t domain = iommu.domain_alloc();
    iommu.attach_device(domain, kStream, 0);
    if (iommu.map_pages(domain, kIova, kPa, kPage, 1, true, true, 0) != 0) return;
    device.write(kIova, kPage, true, 1);
    sc_core::sc_time start = sc_core::sc_time_stamp();
    const models::DmaResult direct = device.read(kIova, kPage, true);
    nosnoop_ns = (sc_core::sc_time_stamp() - start).to_seconds() * 1e9;
    start = sc_core::sc_time_stamp();
    const models::DmaResult snooped = device.read(kIova, kPage, false);
    snooped_ns = (sc_core::sc_time_stamp() - start).to_seconds() * 1e9;
    ok = direct.faults == 0 && snooped.faults == 0 && seen.lines == 2 * kPage / kLineBytes &&
         seen.lines_of_owner == seen.lines;
  }
};

}  // namespace

int sc_main(int, char*[]) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(1, sc_core::SC_US));
  Platform platform("platform");
  sc_core::sc_start();
  std::printf("4 KiB DMA read through the IOMMU: No-Snoop %.1f ns, snooped %.1f ns; %llu of %llu "
              "lines the device's own data\n",
              platform.nosnoop_ns, platform.snooped_ns,
              static_cast<unsigned long long>(platform.seen.lines_of_owner),
              static_cast<unsigned long long>(platform.seen.lines));
  return platform.ok ? 0 : 1;
}
