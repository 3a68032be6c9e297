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

#include "base/line_value.h"
#include "base/units.h"
#include "platform/platform_spec.h"
#include "scenario/backends.h"
#include "scenario/expectations.h"
#include "scenario/steps.h"
#include "vfio/iommu_core.h"
#include "vfio/kernel_base.h"

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

struct KernelSettings {
  vfio::KernelBase base = vfio::KernelBase::v6_9;
  std::string policy = "none";
  unsigned dma_entry_limit = 65535;
};

// A measurement of a real machine that a step of the scenario reproduces: the
// published duration of what the step does, and where it was published.
struct ValidationPoint {
  std::string what;
  size_t step = 0;  // the index of the step whose duration is compared
  units::Duration published;
  std::string source;
  std::string machine;  // as the source names it
  // The kernel base the comparison is for; a run on another base reports it
  // without an iocsim value.
  std::optional<vfio::KernelBase> kernel;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string summary;
  platform::PlatformSpec platform;
  std::map<std::string, std::string> overrides;  // parameters changed from the preset, as written
  std::map<std::string, std::string> vars;       // the value each variable took
  KernelSettings kernel;
  std::vector<Principal> principals;
  std::vector<Device> devices;
  std::vector<std::string> tags;  // fill labels; TagId i names tags[i - 1]
  std::vector<Step> steps;
  // End-of-run expectations by policy name, or "all".
  std::map<std::string, std::vector<RunExpectation>> expect;
  std::vector<ValidationPoint> validation;
};

}  // namespace iocsim::scenario
