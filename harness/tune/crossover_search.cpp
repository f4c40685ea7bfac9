#include "harness/tune/crossover_search.hpp"

#include <stdexcept>

namespace scb {

CrossoverOutcome find_crossover(const MeasurePair& measure, double min_sparsity, double max_sparsity,
                                double resolution) {
  if (!(min_sparsity < max_sparsity) || resolution <= 0)
    throw std::invalid_argument("find_crossover: need min < max and a positive resolution");
  CrossoverOutcome outcome;
  const auto step = [&](double s) {
    outcome.steps.push_back(measure(s));
    return outcome.steps.back().sparse_wins();
  };
  if (!step(max_sparsity)) {
    outcome.kind = "never";
    return outcome;
  }
  if (step(min_sparsity)) {
    outcome.kind = "always";
    return outcome;
  }
  // Invariant: sparse loses at low, wins at high.
  double low = min_sparsity, high = max_sparsity;
  while (high - low >= resolution) {
    const double mid = 0.5 * (low + high);
    (step(mid) ? high : low) = mid;
  }
  outcome.kind = "crossover";
  outcome.low = low;
  outcome.high = high;
  return outcome;
}

}  // namespace scb
