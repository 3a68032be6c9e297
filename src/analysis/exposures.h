// SPDX-License-Identifier: GPL-2.0-only
// Which IOMMU translations reach each physical page: for a page, the
// (domain, IOVA, readable) of every translation to it, in the order they
// were made.
//
// Kept as segments: maximal ranges of pages that the same translations
// reach in the same way (the same domains, at the same IOVA - PA offset),
// so a guest mapped as one contiguous range is one segment however large,
// and mapping it a page at a time grows the last segment page by page. A
// per-page list and a per-domain map of pages took together 122 bytes of
// heap a page (massif, a 1 GiB guest).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "base/line_value.h"

namespace iocsim::analysis {

class Exposures {
 public:
  struct Reach {
    uint32_t domain;
    uint64_t iova;  // of the page
    bool readable;
  };

  // A translation of [pa, pa + size) to [iova, iova + size) in `domain`;
  // whole pages.
  void add(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size, bool readable);
  // Removes it again: on each page, the oldest translation of `domain` that
  // has the page at iova + (page - pa). Pages with none are left alone.
  void remove(uint32_t domain, uint64_t iova, uint64_t pa, uint64_t size);
  bool empty() const { return segments_.empty(); }

  // fn(const Reach&) for each translation reaching page number `page`,
  // oldest first, until fn returns true.
  template <typename Fn>
  void for_page(uint64_t page, Fn fn) const;
  // fn(page) for each page number a translation of `domain` reaches, in
  // ascending order, each once.
  template <typename Fn>
  void for_domain_pages(uint32_t domain, Fn fn) const;

  // Segments kept (for tests and memory accounting).
  uint64_t segments() const { return segments_.size(); }

 private:
  struct Entry {
    uint32_t domain;
    uint64_t offset;  // IOVA - PA, modulo 2^64
    bool readable;
    bool operator==(const Entry& o) const {
      return domain == o.domain && offset == o.offset && readable == o.readable;
    }
  };
  struct Segment {
    uint64_t end;                // one past its last page
    std::vector<Entry> entries;  // oldest first; never empty
  };
  using Segments = std::map<uint64_t, Segment>;  // by first page; they never overlap

  // Makes `page` the first page of a segment if a segment covers it.
  void split_at(uint64_t page);
  // Joins the segments that meet in [first, end] and have the same entries.
  void join_within(uint64_t first, uint64_t end);
  const Segment* segment_of(uint64_t page, uint64_t* first) const;

  Segments segments_;
};

template <typename Fn>
void Exposures::for_page(uint64_t page, Fn fn) const {
  uint64_t first = 0;
  const Segment* s = segment_of(page, &first);
  if (!s) return;
  for (const Entry& e : s->entries)
    if (fn(Reach{e.domain, (page << kPageShift) + e.offset, e.readable})) return;
}

template <typename Fn>
void Exposures::for_domain_pages(uint32_t domain, Fn fn) const {
  for (const auto& [first, s] : segments_) {
    bool reaches = false;
    for (const Entry& e : s.entries) reaches = reaches || e.domain == domain;
    if (!reaches) continue;
    for (uint64_t page = first; page < s.end; ++page) fn(page);
  }
}

}  // namespace iocsim::analysis
