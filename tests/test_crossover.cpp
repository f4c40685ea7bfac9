// The crossover bisection on synthetic timing curves.
#include <gtest/gtest.h>

#include "harness/sparsity/rng.hpp"
#include "harness/tune/crossover_search.hpp"

namespace scb {
namespace {

// Sparse time falls linearly with density; dense is flat. They cross at 1 - (dense - fixed) / slope.
MeasurePair linear(double slope, double fixed, double dense) {
  return [=](double s) { return CrossoverStep{s, slope * (1 - s) + fixed, dense}; };
}

TEST(CrossoverSearch, BracketsTheCrossingWithinTheResolution) {
  const CrossoverOutcome o = find_crossover(linear(100, 5, 40));  // crossing at 0.65
  ASSERT_EQ(o.kind, "crossover");
  EXPECT_LT(o.high - o.low, 0.01);
  EXPECT_LE(o.low, 0.65);
  EXPECT_GE(o.high, 0.65);
  EXPECT_NEAR(o.estimate(), 0.65, 0.005);
  EXPECT_LE(o.steps.size(), 2u + 7u);  // ends plus log2(0.99 / 0.01) halvings
}

TEST(CrossoverSearch, NeverAndAlways) {
  const CrossoverOutcome never = find_crossover(linear(100, 50, 40));  // 51 us at 0.99 > 40
  EXPECT_EQ(never.kind, "never");
  EXPECT_EQ(never.steps.size(), 1u);
  const CrossoverOutcome always = find_crossover(linear(10, 1, 40));  // 11 us at 0 < 40
  EXPECT_EQ(always.kind, "always");
  EXPECT_EQ(always.steps.size(), 2u);
}

TEST(CrossoverSearch, TwoNoisyRunsAgreeWithin2PercentSparsity) {
  // 0.5% measurement noise on both curves: repeated searches land within 2% sparsity of each other.
  Rng rng(5);
  const auto noisy = [&](double s) {
    return CrossoverStep{s, (100 * (1 - s) + 5) * (1 + 0.005 * rng.normal()), 40 * (1 + 0.005 * rng.normal())};
  };
  const double first = find_crossover(noisy).estimate();
  const double second = find_crossover(noisy).estimate();
  EXPECT_LT(std::abs(first - second), 0.02);
  EXPECT_THROW(find_crossover(noisy, 0.5, 0.4), std::invalid_argument);
}

}  // namespace
}  // namespace scb
