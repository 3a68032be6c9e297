// SPDX-License-Identifier: GPL-2.0-only
// Request attributes that travel with a transaction as TLM-2.0 extensions
// (in the style of libsystemctlm-soc's genattr): who issued it, on whose
// behalf, and whether it asked not to be snooped.
#pragma once

#include <cstdint>

#include <tlm>

#include "base/cache_op.h"
#include "base/line_value.h"
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

}  // namespace iocsim::models
