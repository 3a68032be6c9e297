// SPDX-License-Identifier: GPL-2.0-only
// A model's statistics as named counters, registered once where the model
// keeps them (as gem5's stats groups are): a report lists every counter of
// every model a platform has, without a list of them of its own.
//
// A Group belongs to a report section ("cache", "iommu") and, for a model a
// platform has several of, puts the instance's name before each counter
// ("dmar0.requests"). A model that has a Group is a Provider; a platform
// finds its providers in the SystemC object hierarchy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace iocsim::stats {

class Group {
 public:
  explicit Group(std::string section, std::string prefix = "")
      : section_(std::move(section)), prefix_(std::move(prefix)) {}
  // The counter lives in the model and is read when the report is made.
  void add(std::string name, const uint64_t& counter) {
    counters_.push_back({std::move(name), [&counter] { return counter; }});
  }
  // A count the model computes when asked.
  void add(std::string name, std::function<uint64_t()> value) {
    counters_.push_back({std::move(name), std::move(value)});
  }

  const std::string& section() const { return section_; }
  // Every counter's full name and its value now.
  std::vector<std::pair<std::string, uint64_t>> values() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    out.reserve(counters_.size());
    for (const Counter& c : counters_) out.emplace_back(prefix_ + c.name, c.value());
    return out;
  }

 private:
  struct Counter {
    std::string name;
    std::function<uint64_t()> value;
  };
  std::string section_, prefix_;
  std::vector<Counter> counters_;
};

// A model with statistics.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const Group& statistics() const = 0;
};

// A report section: the counters of every group that belongs to it.
struct Section {
  std::string name;
  std::vector<std::pair<std::string, uint64_t>> counters;
};

// The sections of `providers`' groups, each with its groups' counters in
// order: first those named in `always` (empty if no group belongs there),
// then the others in the order they first appear.
inline std::vector<Section> sections(const std::vector<const Provider*>& providers,
                                     const std::vector<std::string>& always = {}) {
  std::vector<Section> out;
  for (const std::string& name : always) out.push_back({name, {}});
  for (const Provider* p : providers) {
    const Group& g = p->statistics();
    Section* section = nullptr;
    for (Section& s : out)
      if (s.name == g.section()) section = &s;
    if (!section) section = &out.emplace_back(Section{g.section(), {}});
    for (auto& value : g.values()) section->counters.push_back(std::move(value));
  }
  return out;
}

}  // namespace iocsim::stats
