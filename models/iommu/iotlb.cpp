// SPDX-License-Identifier: GPL-2.0-only
#include "models/iommu/iotlb.h"

#include <stdexcept>

namespace iocsim::models {

Iotlb::Iotlb(uint64_t entries, uint64_t ways) : ways_(ways) {
  if (ways == 0 || entries == 0 || entries % ways != 0)
    throw std::invalid_argument("IOTLB entries must be a positive multiple of its ways");
  sets_ = entries / ways;
  slots_.resize(entries);
}

uint64_t Iotlb::set_of(uint32_t domain, uint64_t iova, uint64_t size) const {
  // Page number within its own size, mixed with the domain so that two
  // domains' identical IOVAs do not always collide.
  const uint64_t page = iova / size;
  return (page ^ (uint64_t{domain} * 0x9E3779B97F4A7C15ull >> 32)) % sets_;
}

const IotlbEntry* Iotlb::search(uint32_t domain, uint64_t iova) {
  auto it = index_.upper_bound({domain, iova});
  if (it != index_.begin()) {
    --it;
    if (covers(slots_[it->second], domain, iova)) return hit(it->second);
  }
  ++stats_.misses;
  return nullptr;
}

uint32_t Iotlb::peek(uint32_t domain, uint64_t iova) const {
  if (last_hit_ != kNoSlot && covers(slots_[last_hit_], domain, iova)) return last_hit_;
  auto it = index_.upper_bound({domain, iova});
  if (it == index_.begin()) return kNoSlot;
  const uint32_t slot = std::prev(it)->second;
  return covers(slots_[slot], domain, iova) ? slot : kNoSlot;
}

void Iotlb::hit_times(uint32_t slot, uint64_t count) {
  // Each hit makes the entry the most recent: only the last one's stamp stays.
  stats_.hits += count;
  clock_ += count;
  Slot& s = slots_[slot];
  s.lru = clock_;
  last_hit_ = slot;
  if (s.entry.stale) stats_.stale_hits += count;
}

std::map<Iotlb::Key, uint32_t>::iterator Iotlb::first_overlap(uint32_t domain, uint64_t first) {
  // Entries do not overlap each other within a domain, so only the one
  // starting at or before `first` can reach into the range from below.
  auto it = index_.upper_bound({domain, first});
  if (it != index_.begin()) {
    auto prev = std::prev(it);
    const IotlbEntry& e = slots_[prev->second].entry;
    if (e.domain == domain && first - e.iova < e.size) return prev;
  }
  return it;
}

void Iotlb::remove(uint32_t slot) {
  Slot& s = slots_[slot];
  index_.erase({s.entry.domain, s.entry.iova});
  s.valid = false;
  if (last_hit_ == slot) last_hit_ = kNoSlot;
}

const IotlbEntry& Iotlb::fill(const IotlbEntry& entry, std::vector<IotlbEntry>& dropped_stale) {
  const uint64_t last = entry.iova + (entry.size - 1);
  for (auto it = first_overlap(entry.domain, entry.iova);
       it != index_.end() && it->first.first == entry.domain && it->first.second <= last;) {
    const uint32_t slot = it->second;
    ++it;
    if (slots_[slot].entry.stale) dropped_stale.push_back(slots_[slot].entry);
    remove(slot);
  }
  Slot* set = &slots_[set_of(entry.domain, entry.iova, entry.size) * ways_];
  Slot* victim = &set[0];
  for (uint64_t w = 0; w < ways_; ++w) {
    if (!set[w].valid) {
      victim = &set[w];
      break;
    }
    if (set[w].lru < victim->lru) victim = &set[w];
  }
  const auto slot = static_cast<uint32_t>(victim - slots_.data());
  if (victim->valid) {
    ++stats_.evictions;
    if (victim->entry.stale) dropped_stale.push_back(victim->entry);
    remove(slot);
  }
  victim->entry = entry;
  victim->entry.stale = false;
  victim->valid = true;
  victim->lru = ++clock_;
  index_.emplace(Key{entry.domain, entry.iova}, slot);
  return victim->entry;
}

void Iotlb::mark_stale(uint32_t domain, uint64_t first, uint64_t last,
                       std::vector<IotlbEntry>& newly_stale) {
  for (auto it = first_overlap(domain, first);
       it != index_.end() && it->first.first == domain && it->first.second <= last; ++it) {
    IotlbEntry& e = slots_[it->second].entry;
    if (e.stale) continue;
    e.stale = true;
    newly_stale.push_back(e);
  }
}

void Iotlb::invalidate(uint32_t domain, uint64_t first, uint64_t last,
                       std::vector<IotlbEntry>& dropped_stale) {
  for (auto it = first_overlap(domain, first);
       it != index_.end() && it->first.first == domain && it->first.second <= last;) {
    const uint32_t slot = it->second;
    ++it;
    ++stats_.invalidated;
    if (slots_[slot].entry.stale) dropped_stale.push_back(slots_[slot].entry);
    remove(slot);
  }
}

}  // namespace iocsim::models
