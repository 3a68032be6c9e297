// SPDX-License-Identifier: GPL-2.0-only
#include "models/memory/memory_controller.h"

#include <algorithm>

#include "models/common/attributes.h"
#include "models/common/line_token.h"

namespace iocsim::models {

// Defaults: two channels of DDR4-3200AA (JEDEC bin, 8 Gb x8 devices), as on
// a Tiger Lake-U laptop (docs/hardware-parameters.md 4.1). An idle read at the
// DRAM is tRCD + tCL + burst = 30 ns.
void MemoryConfig::declare(params::Catalog& catalog) {
  using params::Spec;
  constexpr const char* kDdr4 =
      "DDR4-3200AA timings from an SPD decode and DRAMsim3's DDR4_8Gb_x8_3200.ini "
      "(docs/hardware-parameters.md 4.1)";
  constexpr const char* kDdr4Banks =
      "DDR4 8 Gb x8: 4 bank groups of 4 banks (DRAMsim3's DDR4_8Gb_x8_3200.ini; "
      "docs/hardware-parameters.md 4.1)";
  catalog.declare(Spec::size("memory.size", "physical memory size", kPageBytes)
                      .by_default("16GiB",
                                  "a common configuration of i7-1185G7 laptops; it only bounds "
                                  "the page allocator"));
  catalog.declare(Spec::count("memory.channels", "independent channels, lines interleaved", 1, 64)
                      .by_default("2",
                                  "Tiger Lake-U has two 64-bit DDR4 channels (Intel product "
                                  "specifications)"));
  catalog.declare(Spec::count("memory.bank_groups", "bank groups per channel", 1, 16)
                      .by_default("4", kDdr4Banks));
  catalog.declare(Spec::count("memory.banks_per_group", "banks per bank group", 1, 16)
                      .by_default("4", kDdr4Banks));
  catalog.declare(Spec::size("memory.row_size",
                             "bytes of one row of one bank across the rank (the DRAM page)",
                             kLineBytes)
                      .by_default("8KiB",
                                  "a 1 KiB page per x8 device (the JEDEC DDR4 x8 page size; "
                                  "unverified here) times 8 devices per rank"));
  catalog.declare(Spec::flag("memory.bank_hash",
                             "permute the banks by the row number, so that streams a multiple of "
                             "the bank rotation apart use different banks (false: rows rotate "
                             "over the banks in order)")
                      .by_default("true",
                                  "Intel controllers XOR row address bits into the bank bits "
                                  "(Pessl et al., DRAMA, USENIX Security 2016); permutation-based "
                                  "page interleaving (Zhang et al., MICRO 2000); "
                                  "docs/hardware-parameters.md 4.3"));
  catalog.declare(Spec::duration("memory.tCL", "READ to first data (CAS latency)")
                      .by_default("13.75ns", kDdr4));  // CL22 at tCK 0.625 ns
  catalog.declare(Spec::duration("memory.tRCD", "ACTIVATE to READ or WRITE")
                      .by_default("13.75ns", kDdr4));  // 22 cycles
  catalog.declare(Spec::duration("memory.tRP", "PRECHARGE to ACTIVATE")
                      .by_default("13.75ns", kDdr4));  // 22 cycles
  catalog.declare(Spec::duration("memory.tRAS", "ACTIVATE to PRECHARGE")
                      .by_default("32ns", kDdr4));  // 52 cycles
  catalog.declare(Spec::duration("memory.burst",
                                 "data-bus time of one 64-byte line on one channel", 1)
                      .by_default("2.5ns",
                                  "BL8 = 4 tCK: 64 B per 2.5 ns, 25.6 GB/s per channel "
                                  "(docs/hardware-parameters.md 4.1)"));
  catalog.declare(Spec::count("memory.write_queue",
                              "write queue entries per channel: a write is posted when it "
                              "takes one (0: no limit)",
                              0, 4096)
                      .by_default("32",
                                  "the iMC's write pending queue counts at most 32 entries per "
                                  "channel (Intel Xeon E5-2600 uncore performance monitoring "
                                  "guide, WPQ_OCCUPANCY; a Sandy Bridge-EP controller, "
                                  "unverified for Tiger Lake; docs/hardware-parameters.md 5)"));
}

MemoryConfig MemoryConfig::from(const params::Set& set) {
  return {set.size("memory.size"),
          {set.count("memory.channels"), set.count("memory.bank_groups"),
           set.count("memory.banks_per_group"), set.size("memory.row_size"),
           set.flag("memory.bank_hash")},
          {set.picos("memory.tCL"), set.picos("memory.tRCD"), set.picos("memory.tRP"),
           set.picos("memory.tRAS"), set.picos("memory.burst")},
          set.count("memory.write_queue")};
}

MemoryController::MemoryController(sc_core::sc_module_name name, const MemoryConfig& config,
                                   CoherenceObserver* observer)
    : sc_module(name),
      socket("socket"),
      config_(config),
      observer_(observer),
      traffic_observer_(observer && observer->watches_traffic() ? observer : nullptr),
      dram_(config.geometry, config.timings),
      write_queue_(config.geometry.channels, config.write_queue) {
  socket.bind(*this);
  const DramStats& banks = dram_.stats();
  statistics_.add("line_reads", stats_.reads);
  statistics_.add("line_writes", stats_.writes);
  statistics_.add("bus_busy_ps", banks.bus_busy);
  statistics_.add("row_hits", banks.row_hits);
  statistics_.add("row_misses", banks.row_misses);
  statistics_.add("row_conflicts", banks.row_conflicts);
  statistics_.add("pages_touched", [this] { return store_.pages_touched(); });
}

bool MemoryController::check(tlm::tlm_generic_payload& trans) const {
  uint64_t addr = trans.get_address();
  uint64_t len = trans.get_data_length();
  if (len == 0 || addr % kLineBytes != 0 || len % kLineBytes != 0 ||
      trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (addr >= config_.size || len > config_.size - addr) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  return true;
}

namespace {

MemoryWriter writer_of(const tlm::tlm_generic_payload& trans) {
  const auto* attrs = trans.get_extension<RequestAttributes>();
  return attrs && attrs->initiator == Initiator::device ? MemoryWriter::device
                                                        : MemoryWriter::writeback;
}

}  // namespace

void MemoryController::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  if (!check(trans)) return;
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  const Picos global = global_picos();
  const Picos arrive = global + to_picos(delay);
  unsigned char* data = trans.get_data_ptr();
  const uint64_t addr = trans.get_address();
  auto* posting = trans.get_extension<WritePosting>();
  Picos posted = arrive;
  if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
    if (auto* reads = trans.get_extension<PacedReads>()) {
      delay = from_picos(paced_reads(addr, lines, *reads) - global);
      trans.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
    if (auto* run = trans.get_extension<LineFill>()) {
      const Picos done = fill(addr, lines, *run, writer_of(trans), arrive, posted);
      run->lines_taken = lines;
      delay = from_picos(done - global);
      stats_.writes += lines;
      if (traffic_observer_) traffic_observer_->memory_accessed(addr, lines, true, arrive, done);
      if (posting) posting->posted = std::max(posting->posted, posted);
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  // Who wrote matters only to a write's observer; a read skips the lookup.
  const MemoryWriter who = trans.is_write() ? writer_of(trans) : MemoryWriter::writeback;
  Picos done = arrive;
  for (uint64_t i = 0; i < lines; ++i) {
    const uint64_t pa = addr + i * kLineBytes;
    const Picos line_done = dram_.access(pa, arrive);
    done = std::max(done, line_done);
    if (trans.is_read()) {
      put_line(data, i, store_.read(pa));
    } else if (trans.is_write()) {
      posted = std::max(posted, queue_write(pa, arrive, line_done));
      const LineValue v = get_line(data, i);
      store_.write(pa, v);
      if (observer_) observer_->memory_write(pa, v, who, line_done);
    }
  }
  if (posting && trans.is_write()) posting->posted = std::max(posting->posted, posted);
  if (trans.is_read()) stats_.reads += lines;
  else if (trans.is_write()) stats_.writes += lines;
  if (traffic_observer_ && (trans.is_read() || trans.is_write()))
    traffic_observer_->memory_accessed(addr, lines, trans.is_write(), arrive, done);
  delay = from_picos(done - global);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

Picos MemoryController::queue_write(uint64_t pa, Picos arrive, Picos done) {
  // The column command issues tCL before the data take the bus (write_queue.h).
  const Picos leaves = done - config_.timings.burst - config_.timings.tCL;
  return write_queue_.take(dram_.locate(pa).channel, {1, arrive, 0, leaves, 0});
}

Picos MemoryController::fill(uint64_t pa, uint64_t lines, const LineFill& run, MemoryWriter who,
                             Picos arrive, Picos& posted) {
  // A device's run is shown by its IOMMU unit (LineFill); others, at once
  // unless the observer needs each line's time.
  if (!observer_ || run.device_run || !observer_->needs_line_order()) {
    // A channel's last line waits for the one `entries` before it, and the
    // next write for the one after that: the rows of the last `entries` + 1
    // lines are all the queue needs.
    // (The callback holds two pointers, which std::function keeps without allocating.)
    Picos* latest = &posted;
    const Picos done = dram_.access_run(
        pa, lines, arrive, run.step, write_queue_.entries() + 1,
        [this, latest](const DramRowRun& row) {
          const DramTimings& t = config_.timings;
          const WriteRun writes{row.count, row.arrive, row.arrive_step, row.data - t.tCL, t.burst};
          *latest = std::max(*latest, write_queue_.take(row.channel, writes, row.unshown));
        });
    store_.fill(pa, lines, run.value);
    if (observer_ && !run.device_run) observer_->memory_filled(pa, lines, run.value, who, done);
    return done;
  }
  Picos done = arrive;
  for (uint64_t i = 0; i < lines; ++i) {
    const uint64_t line_pa = pa + i * kLineBytes;
    const Picos line_arrive = arrive + i * run.step;
    const Picos line_done = dram_.access(line_pa, line_arrive);
    done = std::max(done, line_done);
    posted = std::max(posted, queue_write(line_pa, line_arrive, line_done));
    store_.write(line_pa, run.value);
    observer_->memory_write(line_pa, run.value, who, line_done);
  }
  return done;
}

Picos MemoryController::paced_reads(uint64_t pa, uint64_t lines, PacedReads& run) {
  Picos done = 0;
  uint64_t taken = 0;
  while (taken < lines) {
    done = dram_.access(pa + taken * kLineBytes, run.pacer->arrival(taken) + run.added);
    if (!run.pacer->answered(taken++, done)) break;
  }
  run.lines_taken = taken;
  stats_.reads += taken;
  store_.lines().for_each_piece(pa, taken, [&](uint64_t, uint64_t n, const LineValue& v) {
    run.values->add(v, n);
    run.last = v;
  });
  return done;
}

unsigned int MemoryController::transport_dbg(tlm::tlm_generic_payload& trans) {
  if (!check(trans)) return 0;
  const uint64_t lines = trans.get_data_length() / kLineBytes;
  unsigned char* data = trans.get_data_ptr();
  for (uint64_t i = 0; i < lines; ++i) {
    uint64_t pa = trans.get_address() + i * kLineBytes;
    if (trans.is_read()) put_line(data, i, store_.read(pa));
    else if (trans.is_write()) store_.write(pa, get_line(data, i));
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned int>(trans.get_data_length());
}

}  // namespace iocsim::models
