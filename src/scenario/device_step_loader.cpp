// SPDX-License-Identifier: GPL-2.0-only
// Arguments of the device steps: dma (one transfer) and spawn (a background
// actor).
#include <fmt/format.h>

#include "scenario/step_args_reader.h"

namespace iocsim::scenario::detail {

bool LoaderContext::load_device_args(const std::string& op, StepArgsReader& a, Step& step) {
  if (op == "dma") {
    DmaStep x{0, false, 0, 0, std::nullopt, models::kNoTag};
    if (const YAML::Node d = a.need("device")) {
      auto index = device(d);
      a.ok = a.ok && index;
      x.device = index.value_or(0);
      if (index && s.devices[*index].emulated) {
        r.error(d, fmt::format("device '{}' is emulated: it reaches memory through pin_pages, "
                               "not DMA",
                               s.devices[*index].name));
        a.ok = false;
      }
    }
    const YAML::Node rd = a["read"], wr = a["write"];
    if (bool(rd) == bool(wr)) {
      r.error(a.node(), "a dma step has exactly one of 'read' or 'write'");
      a.ok = false;
    } else {
      x.write = bool(wr);
      const YAML::Node range = x.write ? wr : rd;
      const std::string rw = x.write ? "dma write" : "dma read";
      if (r.expect_map(range, rw)) {
        r.check_keys(range, {"iova", "size"}, rw);
        for (const char* key : {"iova", "size"}) {
          if (!range[key]) {
            r.error(range, fmt::format("{} needs '{}'", rw, key));
            a.ok = false;
          }
        }
        if (range["iova"] && range["size"]) {
          auto iova = address(range["iova"], "iova");
          auto size = r.size(range["size"], "size");
          a.ok = a.ok && iova && size;
          x.iova = iova.value_or(0);
          x.size = size.value_or(0);
          if (size && (*size == 0 || *size % models::kLineBytes || x.iova % models::kLineBytes)) {
            r.error(range, "device transfers are whole 64-byte lines: iova and size must be "
                           "multiples of 64 and size non-zero");
            a.ok = false;
          }
        }
      } else {
        a.ok = false;
      }
    }
    if (a["no_snoop"]) {
      auto v = r.boolean(a["no_snoop"], "no_snoop");
      a.ok = a.ok && v;
      x.no_snoop = v;
    }
    if (a["fill"]) {
      if (!x.write) {
        r.error(a["fill"], "only a dma write stores data ('fill')");
        a.ok = false;
      } else {
        x.fill = a.fill().value_or(models::kNoTag);
      }
    }
    step.args = x;
  } else {
    return false;
  }
  return true;
}

}  // namespace iocsim::scenario::detail
