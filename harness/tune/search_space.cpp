#include "harness/tune/search_space.hpp"

#include <stdexcept>

namespace scb {

SearchSpace::SearchSpace(std::vector<SearchParam> params, std::function<bool(const Values&)> allowed)
    : params_(std::move(params)), allowed_(std::move(allowed)) {
  for (const auto& p : params_)
    if (p.values.empty()) throw std::invalid_argument("search param '" + p.name + "' has no values");
}

std::size_t SearchSpace::combinations() const {
  std::size_t count = 1;
  for (const auto& p : params_) count *= p.values.size();
  return count;
}

SearchSpace::Values SearchSpace::values(const Config& config) const {
  Values values;
  for (std::size_t i = 0; i < params_.size(); ++i) values[params_[i].name] = params_[i].values.at(config.at(i));
  return values;
}

bool SearchSpace::allowed(const Config& config) const { return !allowed_ || allowed_(values(config)); }

std::string SearchSpace::name(const Config& config) const {
  std::string text;
  for (std::size_t i = 0; i < params_.size(); ++i)
    text += (i ? "," : "") + params_[i].name + "=" + params_[i].values.at(config.at(i));
  return text;
}

std::vector<Config> SearchSpace::enumerate_allowed(std::size_t limit) const {
  if (combinations() > limit)
    throw std::invalid_argument("the search space has " + std::to_string(combinations()) +
                                " combinations, more than an exhaustive search visits (" + std::to_string(limit) + ")");
  std::vector<Config> configs;
  Config config(params_.size(), 0);
  while (true) {
    if (allowed(config)) configs.push_back(config);
    std::size_t i = params_.size();
    while (i > 0) {
      --i;
      if (++config[i] < params_[i].values.size()) break;
      config[i] = 0;
      if (i == 0) return configs;
    }
    if (params_.empty()) return configs;
  }
}

std::optional<Config> SearchSpace::random_allowed(Rng& rng, int attempts) const {
  for (int a = 0; a < attempts; ++a) {
    Config config(params_.size());
    for (std::size_t i = 0; i < params_.size(); ++i) config[i] = std::size_t(rng.below(params_[i].values.size()));
    if (allowed(config)) return config;
  }
  return std::nullopt;
}

std::vector<Config> SearchSpace::neighbours(const Config& config) const {
  std::vector<Config> found;
  for (std::size_t i = 0; i < params_.size(); ++i)
    for (const int step : {-1, 1}) {
      if ((step < 0 && config[i] == 0) || (step > 0 && config[i] + 1 >= params_[i].values.size())) continue;
      Config next = config;
      next[i] = std::size_t(int(config[i]) + step);
      if (allowed(next)) found.push_back(next);
    }
  return found;
}

std::vector<Config> SearchSpace::hamming_neighbours(const Config& config) const {
  std::vector<Config> found;
  for (std::size_t i = 0; i < params_.size(); ++i)
    for (std::size_t v = 0; v < params_[i].values.size(); ++v) {
      if (v == config[i]) continue;
      Config next = config;
      next[i] = v;
      if (allowed(next)) found.push_back(next);
    }
  return found;
}

std::vector<double> SearchSpace::coordinates(const Config& config) const {
  std::vector<double> point(params_.size(), 0.0);
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (params_[i].values.size() > 1) point[i] = double(config[i]) / double(params_[i].values.size() - 1);
  return point;
}

}  // namespace scb
