#include "harness/tune/strategy.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

namespace scb {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::array<std::pair<Strategy, const char*>, 5> kStrategies{{{Strategy::exhaustive, "exhaustive"},
                                                                       {Strategy::random, "random"},
                                                                       {Strategy::anneal, "anneal"},
                                                                       {Strategy::genetic, "genetic"},
                                                                       {Strategy::bayes, "bayes"}}};

// Evaluates each config once and keeps the budget; strategies ask it, never the evaluator directly.
class Session {
 public:
  Session(Strategy strategy, const SearchSpace& space, const TuningBudget& budget, const EvaluateConfig& evaluate,
          std::function<double()> now)
      : space_(space), budget_(budget), evaluate_(evaluate), now_(std::move(now)), start_(now_()) {
    trace_.strategy = strategy;
  }

  bool spent() {
    if (budget_.evaluations > 0 && int(trace_.evaluations.size()) >= budget_.evaluations) {
      trace_.stop_reason = "evaluations";
      return true;
    }
    if (budget_.seconds > 0 && now_() - start_ >= budget_.seconds) {
      trace_.stop_reason = "seconds";
      return true;
    }
    return false;
  }
  bool seen(const Config& config) const { return index_.count(config) > 0; }
  // The config's time (infinity when it failed); evaluated at most once, and counted once.
  double cost(const Config& config) {
    if (const auto it = index_.find(config); it != index_.end()) {
      const auto& e = trace_.evaluations[it->second];
      return e.time_us ? *e.time_us : kInfinity;
    }
    Evaluation e;
    e.config = config;
    e.time_us = evaluate_(config, e.failure);
    if (!e.time_us && e.failure.empty()) e.failure = "no time";
    e.at_seconds = now_() - start_;
    const double best = trace_.best_so_far_us.empty() ? kInfinity : trace_.best_so_far_us.back();
    trace_.best_so_far_us.push_back(e.time_us ? std::min(best, *e.time_us) : best);
    index_[config] = trace_.evaluations.size();
    trace_.evaluations.push_back(std::move(e));
    return trace_.evaluations.back().time_us ? *trace_.evaluations.back().time_us : kInfinity;
  }
  const std::vector<Evaluation>& evaluations() const { return trace_.evaluations; }
  TuningTrace finish() {
    if (trace_.stop_reason.empty()) trace_.stop_reason = "space";
    trace_.seconds = now_() - start_;
    return std::move(trace_);
  }

 private:
  const SearchSpace& space_;
  TuningBudget budget_;
  const EvaluateConfig& evaluate_;
  std::function<double()> now_;
  double start_;
  TuningTrace trace_;
  std::map<Config, std::size_t> index_;
};

// Allowed configs in random order: the whole space when it can be listed, else fresh random draws.
class RandomConfigs {
 public:
  RandomConfigs(const SearchSpace& space, Rng& rng) : space_(space), rng_(rng) {
    if (space.combinations() <= 200'000) {
      listed_ = space.enumerate_allowed();
      for (std::size_t i = listed_.size(); i > 1; --i) std::swap(listed_[i - 1], listed_[rng.below(i)]);
      enumerable_ = true;
    }
  }
  std::optional<Config> next(const Session& session) {
    if (enumerable_) {
      while (position_ < listed_.size())
        if (!session.seen(listed_[position_]))
          return listed_[position_++];
        else
          ++position_;
      return std::nullopt;
    }
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const auto config = space_.random_allowed(rng_);
      if (!config) return std::nullopt;
      if (!session.seen(*config)) return config;
    }
    return std::nullopt;
  }

 private:
  const SearchSpace& space_;
  Rng& rng_;
  std::vector<Config> listed_;
  std::size_t position_ = 0;
  bool enumerable_ = false;
};

void exhaustive(const SearchSpace& space, Session& session) {
  for (const auto& config : space.enumerate_allowed()) {
    if (session.spent()) return;
    session.cost(config);
  }
}

void random_search(const SearchSpace& space, Session& session, Rng& rng) {
  RandomConfigs configs(space, rng);
  while (!session.spent()) {
    const auto config = configs.next(session);
    if (!config) return;
    session.cost(*config);
  }
}

// Simulated annealing on log time over Hamming neighbours (one param changed to any value, so a band of
// failing configs can be jumped): a worse neighbour is accepted with probability exp(-delta / T), T cooling
// geometrically. When every neighbour has been seen, it moves to the best of them if that is better, else
// restarts from an unseen random config.
void anneal(const SearchSpace& space, Session& session, Rng& rng) {
  RandomConfigs fresh(space, rng);
  std::optional<Config> start = space.default_config();
  if (!space.allowed(*start)) start = fresh.next(session);
  if (!start) return;
  Config current = *start;
  double current_cost = session.spent() ? kInfinity : session.cost(current);
  double temperature = 0.5;
  while (!session.spent()) {
    std::vector<Config> options;
    const auto neighbours = space.hamming_neighbours(current);
    for (const auto& n : neighbours)
      if (!session.seen(n)) options.push_back(n);
    if (options.empty()) {
      const Config* best = nullptr;
      double best_cost = current_cost;
      for (const auto& n : neighbours)
        if (const double c = session.cost(n); c < best_cost) {  // seen: no evaluation is spent
          best_cost = c;
          best = &n;
        }
      if (best) {
        current = *best;
        current_cost = best_cost;
        continue;
      }
      const auto restart = fresh.next(session);
      if (!restart) return;
      current = *restart;
      current_cost = session.cost(current);
      continue;
    }
    const Config candidate = options[rng.below(options.size())];
    const double cost = session.cost(candidate);
    const bool better = cost < current_cost;
    const bool accept_worse = std::isfinite(cost) && std::isfinite(current_cost) &&
                              rng.uniform01() < std::exp(-(std::log(cost) - std::log(current_cost)) / temperature);
    if (better || accept_worse || !std::isfinite(current_cost)) {
      current = candidate;
      current_cost = cost;
    }
    temperature = std::max(0.01, temperature * 0.9);
  }
}

// A small genetic algorithm: tournament selection, uniform crossover, one mutation per child on average,
// the fittest of parents and children survive. Children that are not allowed or already seen are redrawn.
void genetic(const SearchSpace& space, Session& session, Rng& rng) {
  constexpr std::size_t kPopulation = 8;
  RandomConfigs fresh(space, rng);
  std::vector<std::pair<double, Config>> population;
  if (space.allowed(space.default_config())) population.emplace_back(kInfinity, space.default_config());
  while (population.size() < kPopulation) {
    const auto config = fresh.next(session);
    if (!config) break;
    population.emplace_back(kInfinity, *config);
  }
  for (auto& [cost, config] : population) {
    if (session.spent()) return;
    cost = session.cost(config);
  }
  const std::size_t dims = space.params().size();
  const auto tournament = [&]() -> const Config& {
    const auto& a = population[rng.below(population.size())];
    const auto& b = population[rng.below(population.size())];
    return a.first <= b.first ? a.second : b.second;
  };
  while (!session.spent() && !population.empty()) {
    std::optional<Config> child;
    for (int attempt = 0; attempt < 50 && !child; ++attempt) {
      const Config& mother = tournament();
      const Config& father = tournament();
      Config c(dims);
      for (std::size_t i = 0; i < dims; ++i) c[i] = rng.uniform01() < 0.5 ? mother[i] : father[i];
      for (std::size_t i = 0; i < dims; ++i)
        if (rng.uniform01() < 1.0 / double(std::max<std::size_t>(dims, 1)))
          c[i] = std::size_t(rng.below(space.params()[i].values.size()));
      if (space.allowed(c) && !session.seen(c)) child = c;
    }
    if (!child) child = fresh.next(session);  // the population has converged: explore
    if (!child) return;
    population.emplace_back(session.cost(*child), *child);
    std::stable_sort(population.begin(), population.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    population.resize(std::min(population.size(), kPopulation));
  }
}

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Bayesian optimisation: a Gaussian process (squared-exponential kernel on the configs' scaled index
// coordinates, Eigen's Cholesky) models log time; the next config maximises expected improvement over
// the unseen allowed ones (all of them, or 2000 drawn when the space is larger). Failed configs say
// nothing about time: they stay out of the model and are never proposed again.
void bayes(const SearchSpace& space, Session& session, Rng& rng) {
  RandomConfigs fresh(space, rng);
  // An initial design: the default and a few random configs.
  std::vector<Config> initial;
  if (space.allowed(space.default_config())) initial.push_back(space.default_config());
  while (initial.size() < 5) {
    const auto config = fresh.next(session);
    if (!config) break;
    initial.push_back(*config);
  }
  for (const auto& config : initial) {
    if (session.spent()) return;
    session.cost(config);
  }
  const bool enumerable = space.combinations() <= 200'000;
  const std::vector<Config> all = enumerable ? space.enumerate_allowed() : std::vector<Config>{};
  constexpr double kLength = 0.3, kNoise = 1e-3;
  const auto kernel = [&](const std::vector<double>& a, const std::vector<double>& b) {
    double d2 = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d2 += (a[i] - b[i]) * (a[i] - b[i]);
    return std::exp(-0.5 * d2 / (kLength * kLength));
  };
  while (!session.spent()) {
    std::vector<std::vector<double>> points;
    std::vector<double> targets;
    for (const auto& e : session.evaluations())
      if (e.time_us) {
        points.push_back(space.coordinates(e.config));
        targets.push_back(std::log(*e.time_us));
      }
    if (points.empty()) {  // nothing has run yet: keep exploring at random
      const auto config = fresh.next(session);
      if (!config) return;
      session.cost(*config);
      continue;
    }
    const int n = int(points.size());
    const double mean = std::accumulate(targets.begin(), targets.end(), 0.0) / n;
    double spread = 0;
    for (const double t : targets) spread += (t - mean) * (t - mean);
    spread = std::sqrt(spread / n) + 1e-9;
    Eigen::MatrixXd k(n, n);
    Eigen::VectorXd y(n);
    for (int i = 0; i < n; ++i) {
      y(i) = (targets[i] - mean) / spread;
      for (int j = 0; j < n; ++j) k(i, j) = kernel(points[i], points[j]) + (i == j ? kNoise : 0.0);
    }
    const Eigen::LLT<Eigen::MatrixXd> cholesky(k);
    const Eigen::VectorXd alpha = cholesky.solve(y);
    double best = kInfinity;
    for (int i = 0; i < n; ++i) best = std::min(best, y(i));
    std::vector<Config> candidates;
    if (enumerable) {
      for (const auto& c : all)
        if (!session.seen(c)) candidates.push_back(c);
    } else {
      for (int i = 0; i < 2000; ++i)
        if (const auto c = space.random_allowed(rng); c && !session.seen(*c)) candidates.push_back(*c);
    }
    if (candidates.empty()) return;
    double best_ei = -1;
    std::size_t pick = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const auto x = space.coordinates(candidates[c]);
      Eigen::VectorXd kx(n);
      for (int i = 0; i < n; ++i) kx(i) = kernel(points[i], x);
      const double mu = kx.dot(alpha);
      const double variance = std::max(1e-12, 1.0 - kx.dot(cholesky.solve(kx)));
      const double sigma = std::sqrt(variance);
      const double z = (best - mu) / sigma;
      const double ei = (best - mu) * normal_cdf(z) + sigma * normal_pdf(z);
      if (ei > best_ei) {
        best_ei = ei;
        pick = c;
      }
    }
    session.cost(candidates[pick]);
  }
}

}  // namespace

std::string to_string(Strategy strategy) {
  for (const auto& [s, name] : kStrategies)
    if (s == strategy) return name;
  return "?";
}

std::optional<Strategy> parse_strategy(const std::string& text) {
  for (const auto& [s, name] : kStrategies)
    if (text == name) return s;
  return std::nullopt;
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& entry : kStrategies) names.emplace_back(entry.second);
  return names;
}

std::vector<std::size_t> TuningTrace::fastest(std::size_t k) const {
  std::vector<std::size_t> ok;
  for (std::size_t i = 0; i < evaluations.size(); ++i)
    if (evaluations[i].time_us) ok.push_back(i);
  std::stable_sort(ok.begin(), ok.end(),
                   [&](std::size_t a, std::size_t b) { return *evaluations[a].time_us < *evaluations[b].time_us; });
  if (ok.size() > k) ok.resize(k);
  return ok;
}

TuningTrace run_strategy(Strategy strategy, const SearchSpace& space, const TuningBudget& budget,
                         const EvaluateConfig& evaluate, std::uint64_t seed,
                         const std::function<double()>& seconds_now) {
  if (strategy != Strategy::exhaustive && budget.evaluations <= 0 && budget.seconds <= 0)
    throw std::invalid_argument("strategy " + to_string(strategy) + " needs a budget of evaluations or seconds");
  const auto steady = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  Session session(strategy, space, budget, evaluate, seconds_now ? seconds_now : std::function<double()>(steady));
  Rng rng(seed);
  switch (strategy) {
    case Strategy::exhaustive:
      exhaustive(space, session);
      break;
    case Strategy::random:
      random_search(space, session, rng);
      break;
    case Strategy::anneal:
      anneal(space, session, rng);
      break;
    case Strategy::genetic:
      genetic(space, session, rng);
      break;
    case Strategy::bayes:
      bayes(space, session, rng);
      break;
  }
  return session.finish();
}

}  // namespace scb
