#include "harness/tune/replay.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace scb {

ReplayOutcome replay(const RecordedSearch& search, Strategy strategy, const TuningBudget& budget, std::uint64_t seed) {
  const SearchSpace space(search.params, [&](const SearchSpace::Values& values) {
    return search.medians.count(std::map<std::string, std::string>(values.begin(), values.end())) > 0;
  });
  ReplayOutcome outcome;
  outcome.optimum_us = std::numeric_limits<double>::infinity();
  for (const auto& [values, median] : search.medians)
    if (median) outcome.optimum_us = std::min(outcome.optimum_us, *median);
  if (!std::isfinite(outcome.optimum_us)) throw std::invalid_argument("the recorded search has no config that ran");
  const EvaluateConfig recorded = [&](const Config& config, std::string& failure) -> std::optional<double> {
    const auto values = space.values(config);
    const auto& median = search.medians.at(std::map<std::string, std::string>(values.begin(), values.end()));
    if (!median) failure = "failed in the recorded search";
    return median;
  };
  // A replay costs no time: the budget is in evaluations only.
  const TuningTrace trace = run_strategy(strategy, space, {budget.evaluations, 0}, recorded, seed);
  outcome.evaluations = int(trace.evaluations.size());
  outcome.best_so_far_us = trace.best_so_far_us;
  outcome.best_us =
      trace.best_so_far_us.empty() ? std::numeric_limits<double>::infinity() : trace.best_so_far_us.back();
  outcome.gap = outcome.best_us / outcome.optimum_us - 1.0;
  return outcome;
}

}  // namespace scb
