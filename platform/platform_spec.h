// SPDX-License-Identifier: GPL-2.0-only
// What a platform is built from, without building it: parameter values, the
// IOMMU units and the devices. Scenarios and presets fill it in; Platform
// (platform.h) instantiates the models from it. No SystemC here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/line_value.h"
#include "base/params.h"
#include "models/iommu/iommu_unit_config.h"
#include "platform/catalog.h"
#include "vfio/iommu_core.h"

namespace iocsim::platform {

struct UnitSpec {
  std::string name;
  models::IommuUnitConfig config;
  // Other names scenarios may use for the unit: a scenario written for one
  // preset names its units by that preset's names (dmar0, dmar-gfx), and a
  // preset of another machine says which of its units plays each part.
  std::vector<std::string> aliases;

  bool answers_to(const std::string& n) const;
};

// The unit of `units` that answers to `name` (its name or an alias), or null.
const UnitSpec* find_unit(const std::vector<UnitSpec>& units, const std::string& name);
UnitSpec* find_unit(std::vector<UnitSpec>& units, const std::string& name);

struct DeviceSpec {
  std::string name;
  uint32_t stream_id = 0;
  OwnerId owner = kNobody;
  vfio::GroupId group = 0;
  std::string iommu;                       // unit name
  std::vector<vfio::ResvRegion> reserved;  // the group's reserved regions
  bool honours_nosnoop_enable = true;
  // The device's own values of per-device parameters (pcie.*, dma.*) over
  // the platform's, as the user wrote them (already checked).
  std::map<std::string, std::string> params;
};

struct PlatformSpec {
  std::string preset;  // as named by the user
  params::Set params{catalog(), kClockParam};
  std::vector<UnitSpec> iommus;
  std::vector<DeviceSpec> devices;
};

}  // namespace iocsim::platform
