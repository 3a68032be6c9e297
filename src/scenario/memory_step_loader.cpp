// SPDX-License-Identifier: GPL-2.0-only
// Arguments of the steps on process memory: alloc, touch, write, read, free,
// flush and mmio.
#include "scenario/step_args_reader.h"

namespace iocsim::scenario::detail {

bool LoaderContext::load_memory_args(const std::string& op, StepArgsReader& a, Step& step) {
  if (op == "alloc") {
    AllocStep x{a.principal(), a.address("va"), a.size("size"), a.opt_bool("huge", false),
                a.writable()};
    step.args = x;
  } else if (op == "touch") {
    TouchStep x{a.principal(), a.address("va"), a.size("size"), a.fill(),
                a.opt_bool("huge", false), a.writable(), std::nullopt};
    if (a["pa"]) {
      x.pa = address(a["pa"], "pa");
      a.ok = a.ok && x.pa;
    }
    step.args = x;
  } else if (op == "write") {
    const size_t as = a.principal();
    WriteStep x{as, a.address("va"), a.size("size"), a.fill().value_or(kNoTag)};
    step.args = x;
  } else if (op == "read") {
    step.args = ReadStep{a.principal(), a.address("va"), a.size("size")};
  } else if (op == "free") {
    step.args = FreeStep{a.principal(), a.address("va"), a.size("size")};
  } else if (op == "flush") {
    FlushStep x{a.principal(), 0, 0, CacheOp::clflushopt};
    auto kind = a["op"] ? r.choice(a["op"], "flush op", scenario_cache_op_names())
                        : std::optional<std::string>();
    if (!a["op"]) a.need("op");
    a.ok = a.ok && kind;
    if (kind) {
      x.op = *cache_op_named(*kind);
      if (!info(x.op).whole_cache || a["va"] || a["size"]) {
        x.va = a.address("va");
        x.size = a.size("size");
      }
    }
    step.args = x;
  } else if (op == "mmio") {
    MmioStep x{a.principal(), a.address("va"), a.size("size"), 0};
    if (const YAML::Node d = a.need("device")) {
      auto index = device(d);
      a.ok = a.ok && index;
      x.device = index.value_or(0);
    }
    step.args = x;
  } else {
    return false;
  }
  return true;
}

}  // namespace iocsim::scenario::detail
