// SPDX-License-Identifier: GPL-2.0-only
// Exit codes of every subcommand (docs/format.md 1).
#pragma once

namespace iocsim::app {

inline constexpr int kExitOk = 0;        // completed, every expectation held
inline constexpr int kExitFailed = 1;    // completed, an expectation or invariant failed
inline constexpr int kExitBadInput = 2;  // bad input; nothing simulated
inline constexpr int kExitInternal = 3;  // iocsim itself broke

}  // namespace iocsim::app
