// SPDX-License-Identifier: GPL-2.0-only
// A validated scenario: everything in the YAML file resolved to ids and
// typed values, ready to run. Only the loader creates one, so a Scenario is
// always consistent (every name it uses exists).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "host/cpu_port.h"
#include "base/units.h"
#include "models/dma/dma_actor.h"
#include "platform/platform.h"
#include "scenario/expectations.h"
#include "vfio/fault_injection.h"
#include "vfio/kernel.h"

namespace iocsim::scenario {

struct Principal {
  std::string name;
  OwnerId id = 0;             // 1-based; 0 is nobody
  uint64_t memlock = UINT64_MAX;  // RLIMIT_MEMLOCK in bytes
  bool cap_ipc_lock = false;
};

struct Device {
  std::string name;
  size_t owner = 0;           // index into principals
  vfio::GroupId group = 0;
  std::string iommu;
  bool no_snoop = false;
  bool honours_nosnoop_enable = true;
  bool emulated = false;  // an mdev: no IOMMU; pins pages through the container
  uint32_t stream_id = 0;
};

// --- step arguments, one struct per op ---
struct AllocStep { size_t as; uint64_t va, size; bool huge, writable; };
struct TouchStep {
  size_t as;
  uint64_t va, size;
  std::optional<TagId> fill;
  bool huge, writable;
  std::optional<uint64_t> pa;
};
struct WriteStep { size_t as; uint64_t va, size; TagId fill; };
struct ReadStep { size_t as; uint64_t va, size; };
struct FreeStep { size_t as; uint64_t va, size; };
struct FlushStep { size_t as; uint64_t va, size; CacheOp op; };
struct OpenStep { std::string container; unsigned long type; size_t as; };
struct AttachStep { std::string container; vfio::GroupId group; };
struct DetachStep { std::string container; vfio::GroupId group; };
struct MapStep {
  std::string container;
  size_t as;
  uint64_t va, iova, size;
  uint32_t flags, argsz;
};
struct UnmapStep {
  std::string container;
  uint64_t iova, size;
  uint32_t flags, argsz;
  uint64_t bitmap_pgsize, bitmap_size;  // the vfio_bitmap, with the dirty flag
};
struct InfoStep { std::string container; uint32_t argsz; };
struct DirtyStep {
  std::string container;
  uint32_t flags;
  uint64_t iova, size, pgsize;
  uint32_t argsz;
};
struct PinPagesStep { size_t device; uint64_t iova; uint64_t npages; int prot; };
struct UnpinPagesStep { size_t device; uint64_t iova; uint64_t npages; };
struct MmioStep { size_t as; uint64_t va, size; size_t device; };
struct ReleaseStep { std::string container; };
struct StateStep { std::string container; std::optional<size_t> as; };
struct ExtensionStep { std::optional<std::string> container; unsigned long ext; };
struct DmaStep {
  size_t device;
  bool write;
  uint64_t iova, size;
  std::optional<bool> no_snoop;
  TagId fill;
};
// A background DMA actor (models/dma/dma_actor.h), named by the step's name.
struct SpawnStep {
  size_t device;
  models::DmaPattern pattern;
  uint64_t iova, size;
  units::Duration every;
  // Runs until this time, until the named later step has finished, or (both
  // empty) until the run ends.
  std::optional<units::Duration> until_time;
  std::optional<std::string> until_step;
  bool write;
  std::optional<bool> no_snoop;
  TagId fill;
};
struct WaitStep { units::Duration time; };
struct InjectStep {
  vfio::FaultKind fault;
  std::optional<size_t> device;  // only calls on this device's IOMMU unit count
  unsigned call;
  int error;  // -errno
};

using StepArgs =
    std::variant<AllocStep, TouchStep, WriteStep, ReadStep, FreeStep, FlushStep, OpenStep,
                 AttachStep, DetachStep, MapStep, UnmapStep, ReleaseStep, StateStep,
                 ExtensionStep, DmaStep, SpawnStep, WaitStep, InjectStep, InfoStep, DirtyStep,
                 PinPagesStep, UnpinPagesStep, MmioStep>;

struct Step {
  size_t index = 0;
  std::string op;
  std::string name;
  int line = 0;  // where the step starts in the file
  std::optional<units::Duration> at;
  uint64_t cpu = 0;  // the core the step runs on
  StepArgs args;
  std::vector<StepExpectation> expect;
};

struct KernelSettings {
  vfio::KernelBase base = vfio::KernelBase::v6_9;
  std::string policy = "none";
  unsigned dma_entry_limit = 65535;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string summary;
  platform::PlatformSpec platform;
  std::map<std::string, std::string> overrides;  // parameters changed from the preset, as written
  KernelSettings kernel;
  std::vector<Principal> principals;
  std::vector<Device> devices;
  std::vector<std::string> tags;  // fill labels; TagId i names tags[i - 1]
  std::vector<Step> steps;
  // End-of-run expectations by policy name, or "all".
  std::map<std::string, std::vector<RunExpectation>> expect;
};

}  // namespace iocsim::scenario
