#pragma once
// Bisection on weight sparsity for the point where a sparse backend starts to beat a dense one.
// The caller measures both backends at a sparsity (in the same run); the search only decides
// where to measure next.
#include <functional>
#include <string>
#include <vector>

namespace scb {

struct CrossoverStep {
  double sparsity = 0;
  double sparse_us = 0;
  double dense_us = 0;
  bool sparse_wins() const { return sparse_us < dense_us; }
};

struct CrossoverOutcome {
  // "crossover": sparse wins from somewhere in (low, high]; "never": not even at max_sparsity;
  // "always": already at min_sparsity.
  std::string kind;
  double low = 0, high = 0;  // the bracketing interval (crossover only)
  double estimate() const { return 0.5 * (low + high); }
  std::vector<CrossoverStep> steps;  // in the order measured
};

using MeasurePair = std::function<CrossoverStep(double sparsity)>;

CrossoverOutcome find_crossover(const MeasurePair& measure, double min_sparsity = 0.0, double max_sparsity = 0.99,
                                double resolution = 0.01);

}  // namespace scb
