// SPDX-License-Identifier: GPL-2.0-only
// Reads one step's arguments (internal to the loader). Each getter reports its
// own problem at the offending node and clears `ok`, so one pass over a step
// reports every problem in it; the value returned after a problem is a
// placeholder that is never simulated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/loader_context.h"

namespace iocsim::scenario::detail {

struct FlagName {
  const char* name;
  uint32_t bit;
};

class StepArgsReader {
 public:
  StepArgsReader(LoaderContext& context, const YAML::Node& node, std::string what)
      : c_(context), node_(node), what_(std::move(what)) {}

  const YAML::Node& node() const { return node_; }
  LoaderContext& context() const { return c_; }
  YAML::Node operator[](const char* key) const { return node_[key]; }

  // A required key (reported when missing).
  YAML::Node need(const char* key);
  // The required `as`: a principal's index.
  size_t principal();
  uint64_t address(const char* key);
  uint64_t size(const char* key);
  // The required `va` and `size` as whole units of `unit` bytes (the size
  // not 0), else an error at the value that says `why` it must be.
  struct Range {
    uint64_t va = 0, size = 0;
  };
  Range whole(uint64_t unit, const char* why);
  bool opt_bool(const char* key, bool fallback);
  // An optional boolean that stays unset when absent (e.g. `no_snoop`, whose
  // absence means "the device's default").
  std::optional<bool> opt_flag(const char* key);
  // `prot`: rw (the default) or r.
  bool writable();
  std::optional<TagId> fill();
  // `fill` of a device transfer: only one that writes stores data; `mistake`
  // is the error when one that reads has it.
  TagId device_fill(bool writes, const char* mistake);
  // The required `container`; `must_exist`: opened by an earlier step.
  std::string container(bool must_exist);
  uint32_t u32(const char* key, uint32_t fallback);
  // A list of flag names, or a raw integer (so the ioctl's own checks are reachable).
  uint32_t flags(const char* key, const std::vector<FlagName>& names);
  // The required `group`: a group some device is in.
  vfio::GroupId group();
  // The required `device`, of the kind the step needs: an index into the
  // scenario's devices.
  enum class DeviceKind { any, dma, emulated };
  size_t device(DeviceKind kind);

  bool ok = true;

 private:
  LoaderContext& c_;
  const YAML::Node node_;
  std::string what_;
};

}  // namespace iocsim::scenario::detail
