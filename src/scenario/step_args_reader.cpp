// SPDX-License-Identifier: GPL-2.0-only
#include "scenario/step_args_reader.h"

#include <fmt/format.h>

#include "base/units.h"

namespace iocsim::scenario::detail {

YAML::Node StepArgsReader::need(const char* key) {
  if (!node_[key]) {
    c_.r.error(node_, fmt::format("{} needs '{}'", what_, key));
    ok = false;
  }
  return node_[key];
}

size_t StepArgsReader::principal() {
  const YAML::Node n = need("as");
  if (!n) return 0;
  auto p = c_.principal(n, "as");
  ok = ok && p;
  return p.value_or(0);
}

uint64_t StepArgsReader::address(const char* key) {
  const YAML::Node n = need(key);
  if (!n) return 0;
  auto v = c_.address(n, key);
  ok = ok && v;
  return v.value_or(0);
}

uint64_t StepArgsReader::size(const char* key) {
  const YAML::Node n = need(key);
  if (!n) return 0;
  auto v = c_.r.size(n, key);
  ok = ok && v;
  return v.value_or(0);
}

StepArgsReader::Range StepArgsReader::whole(uint64_t unit, const char* why) {
  // Each value is judged only if it was read (a missing or malformed one has
  // been reported already).
  const bool before = ok;
  ok = true;
  Range r;
  r.va = address("va");
  const bool va_read = ok;
  ok = true;
  r.size = size("size");
  const bool size_read = ok;
  ok = before && va_read && size_read;
  if (va_read && r.va % unit != 0) {
    c_.r.error(node_["va"], fmt::format("va must be a multiple of {} ({}), got {:#x}",
                                        units::format_size(unit), why, r.va));
    ok = false;
  }
  if (size_read && (r.size % unit != 0 || r.size == 0)) {
    c_.r.error(node_["size"], fmt::format("size must be a non-zero multiple of {} ({}), got {}",
                                          units::format_size(unit), why,
                                          units::format_size(r.size)));
    ok = false;
  }
  return r;
}

bool StepArgsReader::opt_bool(const char* key, bool fallback) {
  if (!node_[key]) return fallback;
  auto v = c_.r.boolean(node_[key], key);
  ok = ok && v;
  return v.value_or(fallback);
}

std::optional<bool> StepArgsReader::opt_flag(const char* key) {
  if (!node_[key]) return std::nullopt;
  auto v = c_.r.boolean(node_[key], key);
  ok = ok && v;
  return v;
}

bool StepArgsReader::writable() {
  if (!node_["prot"]) return true;
  auto prot = c_.r.choice(node_["prot"], "prot", {"rw", "r"});
  ok = ok && prot;
  return !prot || *prot == "rw";
}

std::optional<TagId> StepArgsReader::fill() {
  if (!node_["fill"]) return std::nullopt;
  auto label = c_.r.string(node_["fill"], "fill");
  ok = ok && label;
  if (!label) return std::nullopt;
  return c_.tag(*label);
}

TagId StepArgsReader::device_fill(bool writes, const char* mistake) {
  if (!node_["fill"]) return kNoTag;
  if (!writes) {
    c_.r.error(node_["fill"], mistake);
    ok = false;
    return kNoTag;
  }
  return fill().value_or(kNoTag);
}

std::string StepArgsReader::container(bool must_exist) {
  const YAML::Node n = need("container");
  if (!n) return "";
  auto c = c_.container(n, must_exist);
  ok = ok && c;
  return c.value_or("");
}

uint32_t StepArgsReader::u32(const char* key, uint32_t fallback) {
  if (!node_[key]) return fallback;
  auto v = c_.r.integer(node_[key], key);
  if (v && *v > UINT32_MAX) {
    c_.r.error(node_[key], fmt::format("{} must fit in 32 bits", key));
    v.reset();
  }
  ok = ok && v;
  return v ? static_cast<uint32_t>(*v) : fallback;
}

uint32_t StepArgsReader::flags(const char* key, const std::vector<FlagName>& names) {
  const YAML::Node n = node_[key];
  if (!n) return 0;
  if (n.IsScalar()) return u32(key, 0);
  if (!n.IsSequence()) {
    c_.r.error(n, fmt::format("{} must be a list of names or an integer", key));
    ok = false;
    return 0;
  }
  std::vector<std::string> choices;
  for (const auto& f : names) choices.push_back(f.name);
  uint32_t bits = 0;
  for (const auto& item : n) {
    auto name = c_.r.choice(item, "flag", choices);
    ok = ok && name;
    if (!name) continue;
    for (const auto& f : names)
      if (*name == f.name) bits |= f.bit;
  }
  return bits;
}

size_t StepArgsReader::device(DeviceKind kind) {
  const YAML::Node d = need("device");
  if (!d) return 0;
  auto index = c_.device(d);
  ok = ok && index;
  if (!index) return 0;
  const Device& device = c_.s.devices[*index];
  if (kind == DeviceKind::dma && device.emulated) {
    c_.r.error(d, fmt::format("device '{}' is emulated: it reaches memory through pin_pages, not "
                              "DMA",
                              device.name));
    ok = false;
  } else if (kind == DeviceKind::emulated && !device.emulated) {
    c_.r.error(d, fmt::format("device '{}' is not emulated: only an mdev's driver pins pages",
                              device.name));
    ok = false;
  }
  return *index;
}

vfio::GroupId StepArgsReader::group() {
  const YAML::Node n = need("group");
  if (!n) return 0;
  auto g = c_.r.integer(n, "group");
  ok = ok && g;
  if (!g) return 0;
  for (const auto& d : c_.s.devices)
    if (static_cast<uint64_t>(d.group) == *g) return d.group;
  c_.r.error(n, fmt::format("no device is in group {}", *g));
  ok = false;
  return 0;
}

}  // namespace iocsim::scenario::detail
