#pragma once
// Strategies replayed on a recorded exhaustive search: every config's median is known, so a strategy's
// choices cost nothing and its gap to the true optimum is exact. This is how strategies are compared
// (Kernel Tuner calls it simulation mode): one exhaustive run on the GPU, then any number of seeds here.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/tune/strategy.hpp"

namespace scb {

// An exhaustive search as recorded: each config's param values and its median (nothing: it failed).
struct RecordedSearch {
  std::vector<SearchParam> params;
  std::map<std::map<std::string, std::string>, std::optional<double>> medians;
};

struct ReplayOutcome {
  double optimum_us = 0;
  double best_us = 0;  // infinity when the strategy found no config that runs
  double gap = 0;      // best / optimum - 1
  int evaluations = 0;
  std::vector<double> best_so_far_us;
};

// Runs `strategy` over the recorded configs (only they are allowed) with `budget`.
ReplayOutcome replay(const RecordedSearch& search, Strategy strategy, const TuningBudget& budget, std::uint64_t seed);

}  // namespace scb
