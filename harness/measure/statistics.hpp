#pragma once
// Summary statistics of timing samples and the rule that decides when to stop sampling.
#include <string>
#include <vector>

namespace scb {

struct SampleStats {
  int count = 0;
  double median = 0, mean = 0, min = 0, max = 0, stdev = 0, p10 = 0, p90 = 0;
  // Half-width of the median's 95% confidence interval (order statistics), relative to the median.
  double median_noise = 0;
};

SampleStats summarize(const std::vector<double>& samples);
// Linear interpolation between order statistics; `sorted` must be ascending, q in [0, 1].
double percentile(const std::vector<double>& sorted, double q);
double median_relative_noise(const std::vector<double>& sorted);

struct StoppingRule {
  int min_samples = 10;
  int max_samples = 1000;
  double max_noise = 0.005;
  double max_time_s = 1.0;

  // Empty while sampling should go on; otherwise why it stopped: "converged", "max_samples", "time_budget".
  std::string stop_reason(const std::vector<double>& samples, double elapsed_s) const;
};

}  // namespace scb
