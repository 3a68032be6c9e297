// SPDX-License-Identifier: GPL-2.0-only
#include "platform/preset.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "base/data_dir.h"
#include "base/spelling.h"
#include "platform/catalog.h"

namespace iocsim::platform {
namespace {

const std::vector<std::string> kResvTypes{"msi", "sw-msi", "reserved", "direct",
                                          "direct-relaxable"};

vfio::ResvType resv_type(const std::string& name) {
  if (name == "sw-msi") return vfio::ResvType::sw_msi;
  if (name == "reserved") return vfio::ResvType::reserved;
  if (name == "direct") return vfio::ResvType::direct;
  if (name == "direct-relaxable") return vfio::ResvType::direct_relaxable;
  return vfio::ResvType::msi;
}

// A page-size bitmap: an integer, or a list of power-of-two sizes.
std::optional<uint64_t> parse_pgsizes(const yaml::Reader& r, const YAML::Node& node) {
  if (node.IsScalar()) {
    auto bitmap = r.integer(node, "pgsizes");
    if (bitmap && *bitmap == 0) {
      r.error(node, "pgsizes must name at least one page size");
      return std::nullopt;
    }
    return bitmap;
  }
  if (!node.IsSequence() || node.size() == 0) {
    r.error(node, "pgsizes must be a list of sizes or an integer bitmap");
    return std::nullopt;
  }
  uint64_t bitmap = 0;
  bool ok = true;
  for (const auto& item : node) {
    auto size = r.size(item, "page size");
    if (!size) {
      ok = false;
      continue;
    }
    if (*size == 0 || (*size & (*size - 1))) {
      r.error(item, fmt::format("page size {} is not a power of two", *size));
      ok = false;
      continue;
    }
    bitmap |= *size;
  }
  if (!ok) return std::nullopt;
  return bitmap;
}

}  // namespace

std::string to_string(vfio::ResvType type) {
  switch (type) {
    case vfio::ResvType::msi: return "msi";
    case vfio::ResvType::sw_msi: return "sw-msi";
    case vfio::ResvType::reserved: return "reserved";
    case vfio::ResvType::direct: return "direct";
    case vfio::ResvType::direct_relaxable: return "direct-relaxable";
  }
  return "?";
}

std::string preset_path(const std::string& name_or_path) {
  if (name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".yaml"))
    return name_or_path;
  return fmt::format("{}/platform/presets/{}.yaml", data_dir(), name_or_path);
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(
           fmt::format("{}/platform/presets", data_dir()), ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> unknown_preset(const std::string& name_or_path) {
  if (preset_path(name_or_path) == name_or_path) return std::nullopt;  // a path
  const std::vector<std::string> presets = preset_names();
  if (std::find(presets.begin(), presets.end(), name_or_path) != presets.end())
    return std::nullopt;
  return fmt::format("unknown platform preset '{}'{} (presets: {}; or a path to a YAML file)",
                     name_or_path, did_you_mean(name_or_path, presets), fmt::join(presets, ", "));
}

bool UnitSpec::answers_to(const std::string& n) const {
  return name == n || std::find(aliases.begin(), aliases.end(), n) != aliases.end();
}

UnitSpec* find_unit(std::vector<UnitSpec>& units, const std::string& name) {
  for (UnitSpec& u : units)
    if (u.answers_to(name)) return &u;
  return nullptr;
}

const UnitSpec* find_unit(const std::vector<UnitSpec>& units, const std::string& name) {
  return find_unit(const_cast<std::vector<UnitSpec>&>(units), name);
}

std::optional<UnitSpec> parse_iommu_unit(const yaml::Reader& r, const YAML::Node& node,
                                         const std::string& unit, const UnitSpec* base) {
  const std::string what = fmt::format("iommu '{}'", unit);
  if (!r.expect_map(node, what)) return std::nullopt;
  r.check_keys(node,
               {"driver", "snoop_control", "pgsizes", "aperture", "split_on_unmap", "levels",
                "coherent_walk", "aliases"},
               what);
  UnitSpec spec = base ? *base : UnitSpec{unit, {}, {}};
  models::IommuUnitConfig& c = spec.config;
  bool ok = true;
  if (!base) {
    for (const char* key : {"driver", "pgsizes", "aperture"}) {
      if (!node[key]) {
        r.error(node, fmt::format("{} needs '{}'", what, key));
        ok = false;
      }
    }
  }
  if (node["driver"]) {
    auto driver = r.name(node["driver"], "driver");
    ok = ok && driver;
    if (driver) c.driver = *driver;
  }
  auto read_flag = [&](const char* key, bool& field) {
    if (!node[key]) return;
    auto v = r.boolean(node[key], key);
    ok = ok && v;
    if (v) field = *v;
  };
  read_flag("snoop_control", c.snoop_control);
  read_flag("split_on_unmap", c.split_on_unmap);
  read_flag("coherent_walk", c.coherent_walk);
  if (node["levels"]) {
    auto v = r.integer(node["levels"], "levels");
    if (v && (*v < 1 || *v > 6)) {
      r.error(node["levels"], "levels is the depth of the I/O page table: 1 to 6");
      v.reset();
    }
    ok = ok && v;
    if (v) c.levels = static_cast<unsigned>(*v);
  }
  if (node["pgsizes"]) {
    auto v = parse_pgsizes(r, node["pgsizes"]);
    ok = ok && v;
    if (v) c.pgsize_bitmap = *v;
  }
  if (node["aperture"]) {
    auto v = r.range(node["aperture"], "aperture");
    ok = ok && v;
    if (v) {
      c.aperture_start = v->first;
      c.aperture_end = v->second;
    }
  }
  if (const YAML::Node aliases = node["aliases"]) {
    if (!aliases.IsSequence()) {
      r.error(aliases, "aliases is a list of names");
      ok = false;
    } else {
      spec.aliases.clear();
      for (const auto& a : aliases) {
        auto alias = r.name(a, "alias");
        ok = ok && alias;
        if (alias) spec.aliases.push_back(*alias);
      }
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<std::pair<std::string, std::string>> set_param(const yaml::Reader& r,
                                                             const YAML::Node& name_node,
                                                             const YAML::Node& value_node,
                                                             params::Set& set,
                                                             const ParamRefusal& refuse) {
  auto name = r.string(name_node, "parameter name");
  auto text = r.string(value_node, "parameter value");
  if (!name || !text) return std::nullopt;
  const bool exists = catalog().find(*name) != nullptr;
  if (exists && refuse) {
    if (auto why = refuse(*name)) {
      r.error(name_node, *why);
      return std::nullopt;
    }
  }
  if (auto error = set.set(*name, *text)) {
    r.error(exists ? value_node : name_node, *error);
    return std::nullopt;
  }
  return std::pair{*name, *text};
}

std::optional<std::vector<vfio::ResvRegion>> parse_reserved(const yaml::Reader& r,
                                                            const YAML::Node& node) {
  if (!node.IsSequence()) {
    r.error(node, "reserved must be a list of [START, END] or {range: [START, END], type: T}");
    return std::nullopt;
  }
  std::vector<vfio::ResvRegion> regions;
  bool ok = true;
  for (const auto& item : node) {
    // Bound once: assigning to a YAML::Node would rewrite the document node
    // it refers to, not rebind the variable.
    const YAML::Node range = item.IsMap() ? item["range"] : item;
    vfio::ResvType type = vfio::ResvType::msi;
    if (item.IsMap()) {
      if (!r.unique_keys(item)) {
        ok = false;
        continue;
      }
      r.check_keys(item, {"range", "type"}, "reserved region");
      if (!range) {
        r.error(item, "reserved region needs 'range'");
        ok = false;
        continue;
      }
      if (item["type"]) {
        auto t = r.choice(item["type"], "reserved region type", kResvTypes);
        if (!t) {
          ok = false;
          continue;
        }
        type = resv_type(*t);
      }
    }
    auto bounds = r.range(range, "reserved region");
    if (!bounds) {
      ok = false;
      continue;
    }
    if (bounds->first == 0 && bounds->second == UINT64_MAX) {
      r.error(range, "a reserved region cannot cover the whole 64-bit space");
      ok = false;
      continue;
    }
    regions.push_back({bounds->first, bounds->second - bounds->first + 1, type});
  }
  if (!ok) return std::nullopt;
  return regions;
}

std::optional<Preset> load_preset(const std::string& name_or_path, yaml::Diagnostics& diags) {
  yaml::Reader r(preset_path(name_or_path), diags);
  auto root = r.load();
  if (!root) return std::nullopt;
  if (!r.expect_map(*root, "a preset")) return std::nullopt;
  r.check_keys(*root, {"preset", "summary", "inherits", "params", "iommus", "reserved"},
               "a preset");

  Preset preset;
  preset.name = name_or_path;
  if ((*root)["inherits"]) {
    auto parent = r.string((*root)["inherits"], "inherits");
    if (!parent) return std::nullopt;
    auto base = load_preset(*parent, diags);
    if (!base) return std::nullopt;
    preset = *base;
    preset.name = name_or_path;
  }
  if ((*root)["summary"]) {
    if (auto s = r.string((*root)["summary"], "summary")) preset.summary = *s;
  }
  bool ok = true;
  if (const auto params = (*root)["params"]) {
    if (r.expect_map(params, "params")) {
      params::Set check(catalog(), kClockParam);
      for (const auto& kv : params) {
        if (auto set = set_param(r, kv.first, kv.second, check))
          preset.params[set->first] = set->second;
        else
          ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (const auto iommus = (*root)["iommus"]) {
    if (r.expect_map(iommus, "iommus")) {
      for (const auto& kv : iommus) {
        auto unit = r.name(kv.first, "iommu name");
        if (!unit) {
          ok = false;
          continue;
        }
        UnitSpec* existing = find_unit(preset.iommus, *unit);
        if (kv.second.IsNull()) {
          // `UNIT: ~` drops a unit the preset inherited.
          if (!existing) {
            r.error(kv.first, fmt::format("iommu '{}': no inherited unit of that name to remove",
                                          *unit));
            ok = false;
            continue;
          }
          preset.iommus.erase(preset.iommus.begin() + (existing - preset.iommus.data()));
          continue;
        }
        auto parsed = parse_iommu_unit(r, kv.second, *unit, existing);
        if (!parsed) {
          ok = false;
          continue;
        }
        if (existing) *existing = *parsed;
        else preset.iommus.push_back(*parsed);
      }
    } else {
      ok = false;
    }
  }
  if (const auto reserved = (*root)["reserved"]) {
    auto regions = parse_reserved(r, reserved);
    if (regions) preset.reserved = *regions;
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return preset;
}

}  // namespace iocsim::platform
