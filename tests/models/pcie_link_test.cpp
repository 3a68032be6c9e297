// SPDX-License-Identifier: GPL-2.0-only
// A PCIe link's wire times by generation and width, TLP overheads, and the
// two directions' occupancy.
#include <catch2/catch.hpp>

#include "models/dma/pcie_link.h"

using iocsim::Picos;
using iocsim::models::PcieLink;
using iocsim::models::PcieLinkConfig;

TEST_CASE("a TLP's wire time follows the generation's rate and encoding and the width") {
  // PCIe 1.0 x1: 2.5 GT/s with 8b/10b, 0.25 bytes a nanosecond.
  CHECK(PcieLink({1, 1, 0, 256, 64}).wire_time(84) == 336'000);
  // PCIe 2.0 x8: 5 GT/s x 8 lanes with 8b/10b, 4 bytes a nanosecond.
  CHECK(PcieLink({2, 8, 0, 256, 64}).wire_time(84) == 21'000);
  // PCIe 3.0 x16: 8 GT/s x 16 x 128/130 = 15.75 GB/s: 84 B in 5332.03 ps,
  // rounded up.
  CHECK(PcieLink({3, 16, 0, 256, 64}).wire_time(84) == 5'333);
  // PCIe 5.0 doubles PCIe 4.0 which doubles PCIe 3.0, at the same encoding.
  CHECK(PcieLink({4, 16, 0, 256, 64}).wire_time(168) == 5'333);
  CHECK(PcieLink({5, 16, 0, 256, 64}).wire_time(336) == 5'333);
  CHECK(PcieLink({4, 4, 0, 256, 64}).bytes_per_second() == Approx(7.877e9).epsilon(1e-3));
}

TEST_CASE("requests, writes and completions carry their overheads per TLP") {
  const PcieLink link({2, 8, 0, 256, 64});  // 4 bytes a nanosecond
  CHECK(link.read_request_time() == 6'000);              // 24 B
  CHECK(link.write_time(64) == 22'000);                  // 24 + 64 B
  CHECK(link.write_time(512) == 2 * 70'000);             // two TLPs of 256 B
  CHECK(link.write_time(320) == 70'000 + 22'000);        // 256 B and 64 B
  CHECK(link.completions_time(256) == 4 * 21'000);       // a completion per 64 B
  CHECK(link.completions_time(0) == 5'000);              // one without data: 20 B
  const PcieLink wide({2, 8, 0, 256, 128});
  CHECK(wide.completions_time(256) == 2 * 37'000);       // 20 + 128 B each
}

TEST_CASE("each direction carries one TLP at a time, and the latency follows the wire") {
  PcieLink link({2, 8, 100'000, 256, 64});
  const PcieLink::Upstream first = link.send_up(0, 6'000);
  CHECK(first.sent == 0);
  CHECK(first.arrived == 106'000);
  const PcieLink::Upstream second = link.send_up(1'000, 6'000);  // waits for the first
  CHECK(second.sent == 6'000);
  CHECK(second.arrived == 112'000);
  CHECK(link.up_free() == 12'000);
  // Completions ready at 200 ns and 205 ns: the second waits for the first's
  // 21 ns on the wire.
  CHECK(link.send_down(200'000, 21'000) == 321'000);
  CHECK(link.send_down(205'000, 21'000) == 342'000);
  CHECK(link.idle_read_time(64) == 6'000 + 21'000 + 200'000);
}
