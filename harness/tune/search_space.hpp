#pragma once
// A tunable backend's space: its params with their legal values, and a rule that says which combinations
// may run (constraints between params, shared memory, the case's shape). Strategies walk it by index.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/sparsity/rng.hpp"

namespace scb {

struct SearchParam {
  std::string name;
  std::vector<std::string> values;  // the first is the default
};

// One value index per param, in the space's param order.
using Config = std::vector<std::size_t>;

class SearchSpace {
 public:
  using Values = std::map<std::string, std::string>;
  // `allowed` says whether a combination may run; it is asked before anything runs.
  SearchSpace(std::vector<SearchParam> params, std::function<bool(const Values&)> allowed);

  const std::vector<SearchParam>& params() const { return params_; }
  // Every combination, allowed or not.
  std::size_t combinations() const;
  bool allowed(const Config& config) const;
  Values values(const Config& config) const;
  // "pixels=8,warps=4": the config's name in results and caches.
  std::string name(const Config& config) const;
  Config default_config() const { return Config(params_.size(), 0); }

  // Every allowed config, in lexicographic order of indices; an error when the space has more than `limit`.
  std::vector<Config> enumerate_allowed(std::size_t limit = 1'000'000) const;
  // A uniformly drawn allowed config (rejection sampling); `attempts` bounds the draws.
  std::optional<Config> random_allowed(Rng& rng, int attempts = 10'000) const;
  // Allowed configs that differ from `config` in one param by one step of its value list.
  std::vector<Config> neighbours(const Config& config) const;
  // Allowed configs that differ from `config` in exactly one param, by any value (Hamming distance 1).
  std::vector<Config> hamming_neighbours(const Config& config) const;
  // Index positions scaled to [0, 1] per param: a point for models of the space.
  std::vector<double> coordinates(const Config& config) const;

 private:
  std::vector<SearchParam> params_;
  std::function<bool(const Values&)> allowed_;
};

}  // namespace scb
