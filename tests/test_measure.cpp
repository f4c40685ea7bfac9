// Statistics and the stopping rule of the timing engine (the GPU part is in test_gpu_engine.cpp).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/measure/statistics.hpp"
#include "harness/sparsity/rng.hpp"

namespace scb {
namespace {

TEST(Statistics, KnownSample) {
  const SampleStats s = summarize({5, 1, 4, 2, 3});
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(s.mean, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 5);
  EXPECT_NEAR(s.stdev, std::sqrt(2.5), 1e-12);
  EXPECT_DOUBLE_EQ(s.p10, 1.4);
  EXPECT_DOUBLE_EQ(s.p90, 4.6);
}

TEST(Statistics, PercentileInterpolatesAndEvenMedian) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({10}, 0.9), 10);
}

TEST(Statistics, MedianNoiseShrinksWithSamplesAndIsZeroForConstantData) {
  EXPECT_EQ(median_relative_noise(std::vector<double>(20, 7.0)), 0.0);
  Rng rng(3);
  std::vector<double> small, large;
  for (int i = 0; i < 20; ++i) small.push_back(100 + rng.normal());
  for (int i = 0; i < 2000; ++i) large.push_back(100 + rng.normal());
  std::sort(small.begin(), small.end());
  std::sort(large.begin(), large.end());
  const double noise_small = median_relative_noise(small), noise_large = median_relative_noise(large);
  EXPECT_GT(noise_small, noise_large);
  // For N(100, 1) the median's 95% CI half-width is about 1.96 * 1.2533 / sqrt(n) / 100.
  EXPECT_NEAR(noise_large, 1.96 * 1.2533 / std::sqrt(2000.0) / 100, 0.0002);
}

TEST(StoppingRule, HonoursFloorNoiseCapAndBudget) {
  const StoppingRule rule{10, 50, 0.005, 1.0};
  EXPECT_EQ(rule.stop_reason(std::vector<double>(9, 5.0), 100.0), "") << "the floor holds past the budget";
  EXPECT_EQ(rule.stop_reason(std::vector<double>(10, 5.0), 0.0), "converged");
  std::vector<double> noisy;
  Rng rng(1);
  for (int i = 0; i < 20; ++i) noisy.push_back(rng.uniform(1.0, 2.0));
  EXPECT_EQ(rule.stop_reason(noisy, 0.1), "");
  EXPECT_EQ(rule.stop_reason(noisy, 1.5), "time_budget");
  noisy.resize(50, 1.5);
  EXPECT_EQ(rule.stop_reason(noisy, 0.1), "max_samples");
}

}  // namespace
}  // namespace scb
