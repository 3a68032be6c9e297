// SPDX-License-Identifier: GPL-2.0-only
// Request attributes that travel with a transaction as TLM-2.0 extensions
// (in the style of libsystemctlm-soc's genattr): who issued it, on whose
// behalf, and whether it asked not to be snooped.
#pragma once

#include <cstdint>

#include <tlm>

#include "base/cache_op.h"
#include "base/line_value.h"
#include "base/owner_tally.h"
#include "base/picos.h"

namespace iocsim::models {

enum class Initiator : uint8_t { cpu, device };

struct RequestAttributes : tlm::tlm_extension<RequestAttributes> {
  Initiator initiator = Initiator::cpu;
  uint32_t stream_id = 0;     // the device (PCIe requester id); unused for the CPU
  OwnerId principal = kNobody;  // on whose behalf data are written
  bool no_snoop = false;      // PCIe No-Snoop attribute

  tlm::tlm_extension_base* clone() const override { return new RequestAttributes(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const RequestAttributes&>(other);
  }
};

// Cache maintenance (base/cache_op.h) rides on TLM_IGNORE_COMMAND
// transactions to a cache's CPU port. The cache fills in the response half.
struct CacheMaintenance : tlm::tlm_extension<CacheMaintenance> {
  CacheOp op = CacheOp::clflushopt;
  // Response: what the operation found and did.
  uint64_t lines_resident = 0;     // lines that were present and are now invalid/clean
  uint64_t lines_written_back = 0;  // dirty lines written to memory
  Picos completes_at = 0;          // when the last write-back has reached memory

  tlm::tlm_extension_base* clone() const override { return new CacheMaintenance(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const CacheMaintenance&>(other);
  }
};

// Asks the memory controller when its write queue took a request's writes:
// a write is posted (complete for the rest of the system) once it has an
// entry, which can be later than it arrived when the queue is full. An
// initiator that stalls on a full queue attaches this to its writes; the
// controller raises `posted` to the latest posting of the request's lines
// (it never lowers it, so one extension can gather a series of requests).
struct WritePosting : tlm::tlm_extension<WritePosting> {
  Picos posted = 0;

  tlm::tlm_extension_base* clone() const override { return new WritePosting(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WritePosting&>(other);
  }
};

// Asks a cache when the data of a read's loads arrived. The loads of one
// request overlap: the request's time is when its last load issued, and the
// core goes on from there; an initiator that must have the data (the end of
// a CPU read) waits for `completes`, which the cache sets.
struct LoadCompletion : tlm::tlm_extension<LoadCompletion> {
  Picos completes = 0;

  tlm::tlm_extension_base* clone() const override { return new LoadCompletion(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const LoadCompletion&>(other);
  }
};

// A run of lines that all take one value (a zeroed page or folio, or a run
// of write-backs) rides on TLM_IGNORE_COMMAND, as cache maintenance does, so
// a target that does not know it ignores it. It stands for a write of
// [address, address + data_length) with every line holding `value`, line i
// issued `i * step` after the transaction's own time (a target takes it no
// earlier), and has that write's outcome; the data pointer is not used. The
// response's delay is when the last line is done.
//
// A device's run of one-line writes (a DMA master's requests, line i
// arriving `i * step` after the first) is a LineFill with `device_run` set:
// the IOMMU unit shows the observer what the writes did (device_write_run),
// so neither the cache nor memory shows them. A target takes a prefix of such
// a run and answers how many lines in `lines_taken` (0: none), having changed
// nothing for the rest; the initiator sends those as it would have without
// the run. See DmaMaster::transfer.
struct LineFill : tlm::tlm_extension<LineFill> {
  LineValue value;
  Picos step = 0;
  bool device_run = false;
  uint64_t lines_taken = 0;  // response to a device run

  tlm::tlm_extension_base* clone() const override { return new LineFill(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const LineFill&>(other);
  }
};

// When each line of a device's run of one-line reads reaches a target, which
// can depend on when the lines before it were answered (the device's tags
// and its link): arrival(i) is asked for line i once line i - 1 has been
// answered, and answered(i, at) is told when line i's data are ready, in
// order. answered() says false when the device must stop after line i (it
// syncs there, letting another process run).
class ReadPacer {
 public:
  virtual ~ReadPacer() = default;
  virtual Picos arrival(uint64_t i) = 0;
  virtual bool answered(uint64_t i, Picos at) = 0;
};

// A device's run of one-line reads of [address, address + data_length)
// (DmaMaster::transfer), on TLM_IGNORE_COMMAND: each line's request arrives
// as `pacer` says. A target takes a prefix and answers how many lines in
// `lines_taken` (0: none), having changed nothing for the rest; memory also
// counts the values of the lines taken by owner into `values` and gives the
// last in `last`. The IOMMU unit shows the observer what the reads did, so no
// target shows them.
struct PacedReads : tlm::tlm_extension<PacedReads> {
  ReadPacer* pacer = nullptr;
  // What the targets on the way add to each line's arrival (a cache's lookup).
  Picos added = 0;
  OwnerTally* values = nullptr;
  LineValue last;
  uint64_t lines_taken = 0;

  tlm::tlm_extension_base* clone() const override { return new PacedReads(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const PacedReads&>(other);
  }
};

}  // namespace iocsim::models
