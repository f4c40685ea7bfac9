#include "harness/measure/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace scb {

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  const double position = q * double(sorted.size() - 1);
  const std::size_t below = std::size_t(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - double(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

double median_relative_noise(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n < 2) return INFINITY;
  // The median's 95% CI spans ranks n/2 -+ 1.96*sqrt(n)/2 (normal approximation to the binomial).
  const double half_width = 0.98 * std::sqrt(double(n));
  const auto lo = std::size_t(std::max(0.0, std::floor(double(n) / 2.0 - half_width)));
  const auto hi = std::size_t(std::min(double(n - 1), std::ceil(double(n) / 2.0 + half_width)));
  const double median = percentile(sorted, 0.5);
  if (median <= 0) return INFINITY;
  return (sorted[hi] - sorted[lo]) / (2.0 * median);
}

SampleStats summarize(const std::vector<double>& samples) {
  SampleStats s;
  s.count = int(samples.size());
  if (samples.empty()) return s;
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = percentile(sorted, 0.5);
  s.p10 = percentile(sorted, 0.1);
  s.p90 = percentile(sorted, 0.9);
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / double(sorted.size());
  double squares = 0;
  for (const double x : sorted) squares += (x - s.mean) * (x - s.mean);
  s.stdev = sorted.size() > 1 ? std::sqrt(squares / double(sorted.size() - 1)) : 0.0;
  s.median_noise = median_relative_noise(sorted);
  return s;
}

std::string StoppingRule::stop_reason(const std::vector<double>& samples, double elapsed_s) const {
  const int n = int(samples.size());
  if (n >= max_samples) return "max_samples";
  if (n < min_samples) return "";  // the floor holds even past the time budget
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  if (median_relative_noise(sorted) <= max_noise) return "converged";
  if (elapsed_s >= max_time_s) return "time_budget";
  return "";
}

}  // namespace scb
