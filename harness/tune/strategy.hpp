#pragma once
// Search strategies over a SearchSpace: exhaustive, random, simulated annealing, a genetic algorithm and
// Bayesian optimisation with a Gaussian process. The caller evaluates a config (verifies it, then times
// it); a strategy only decides what to evaluate next, within a budget of evaluations and seconds.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "harness/tune/search_space.hpp"

namespace scb {

enum class Strategy { exhaustive, random, anneal, genetic, bayes };
std::string to_string(Strategy strategy);
std::optional<Strategy> parse_strategy(const std::string& text);
std::vector<std::string> strategy_names();

// Whichever runs out first; 0 means no limit of that kind (exhaustive needs neither).
struct TuningBudget {
  int evaluations = 0;
  double seconds = 0;
};

// One config evaluated: its median time, or why it has none (launch, compile or verification failed).
struct Evaluation {
  Config config;
  std::optional<double> time_us;
  std::string failure;
  double at_seconds = 0;  // since the search began
};

struct TuningTrace {
  Strategy strategy = Strategy::exhaustive;
  std::vector<Evaluation> evaluations;  // in the order they ran, each config once
  std::vector<double> best_so_far_us;   // after each evaluation; infinity until one succeeds
  double seconds = 0;
  std::string stop_reason;  // "evaluations", "seconds" (the budget), or "space" (nothing left to try)
  // The indices of the `k` fastest successful evaluations, fastest first.
  std::vector<std::size_t> fastest(std::size_t k) const;
};

// Evaluates a config: its median time in microseconds, or nothing and `failure` set.
using EvaluateConfig = std::function<std::optional<double>(const Config& config, std::string& failure)>;

TuningTrace run_strategy(Strategy strategy, const SearchSpace& space, const TuningBudget& budget,
                         const EvaluateConfig& evaluate, std::uint64_t seed,
                         const std::function<double()>& seconds_now = {});

}  // namespace scb
