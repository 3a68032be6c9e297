// SPDX-License-Identifier: GPL-2.0-only
#include "models/common/attributes.h"

namespace iocsim::models {

const char* to_string(CacheOp op) {
  switch (op) {
    case CacheOp::clflush: return "clflush";
    case CacheOp::clflushopt: return "clflushopt";
    case CacheOp::clwb: return "clwb";
    case CacheOp::wbinvd: return "wbinvd";
    case CacheOp::dc_civac: return "dc civac";
    case CacheOp::dc_cvac: return "dc cvac";
  }
  return "?";
}

}  // namespace iocsim::models
