// Regression comparison: statistics on samples drawn from known distributions, and documents.
#include <gtest/gtest.h>

#include "harness/report/compare.hpp"
#include "harness/report/result.hpp"
#include "harness/sparsity/rng.hpp"
#include "sample_results.hpp"

namespace scb {
namespace {

using namespace testing_support;

std::vector<double> normal_samples(Rng& rng, int n, double mean, double relative_sigma) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = mean * (1.0 + relative_sigma * rng.normal());
  return v;
}

Verdict verdict_for(const std::vector<double>& base, const std::vector<double>& cur, const CompareThresholds& t,
                    std::uint64_t seed) {
  return decide(bootstrap_median_ratio(base, cur, t.bootstrap_resamples, seed), mann_whitney_p(base, cur), t);
}

CompareThresholds test_thresholds() {
  CompareThresholds t;
  t.bootstrap_resamples = 500;  // enough for a 95% interval; keeps 300 trials fast
  return t;
}

TEST(CompareStatistics, MannWhitneyOnKnownSamples) {
  // Complete separation of 3 vs 3: U = 0; normal approximation with continuity correction: p = 0.081.
  EXPECT_NEAR(mann_whitney_p({1, 2, 3}, {4, 5, 6}), 0.0809, 0.001);
  EXPECT_DOUBLE_EQ(mann_whitney_p({5, 5, 5}, {5, 5, 5}), 1.0);
  Rng rng(1);
  EXPECT_LT(mann_whitney_p(normal_samples(rng, 50, 100, 0.01), normal_samples(rng, 50, 110, 0.01)), 1e-10);
}

TEST(CompareStatistics, FindsAFivePercentShiftWithLowNoise) {
  const auto t = test_thresholds();
  Rng rng(7);
  int found = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const auto base = normal_samples(rng, 50, 100.0, 0.005);
    const auto cur = normal_samples(rng, 50, 105.0, 0.005);
    found += verdict_for(base, cur, t, trial) == Verdict::slower;
    EXPECT_NE(verdict_for(cur, base, t, trial), Verdict::slower);
  }
  std::printf("5%% shift, 0.5%% noise: slower in %d of 100 trials\n", found);
  EXPECT_GE(found, 95);
}

TEST(CompareStatistics, IdenticalDistributionsAreSameOrNoisyInAtLeast99Percent) {
  const auto t = test_thresholds();
  Rng rng(11);
  int same_or_noisy = 0;
  const int trials = 300;
  for (int trial = 0; trial < trials; ++trial) {
    const auto a = normal_samples(rng, 30, 50.0, 0.02);
    const auto b = normal_samples(rng, 30, 50.0, 0.02);
    const Verdict v = verdict_for(a, b, t, trial);
    same_or_noisy += v == Verdict::same || v == Verdict::noisy;
  }
  std::printf("identical: same or noisy in %d of %d trials\n", same_or_noisy, trials);
  EXPECT_GE(same_or_noisy, trials * 99 / 100);
}

TEST(CompareStatistics, ANoisyPairIsNotCalledSlower) {
  const auto t = test_thresholds();
  Rng rng(13);
  int slower = 0, noisy = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const auto base = normal_samples(rng, 15, 100.0, 0.25);
    const auto cur = normal_samples(rng, 15, 105.0, 0.25);
    const Verdict v = verdict_for(base, cur, t, trial);
    slower += v == Verdict::slower;
    noisy += v == Verdict::noisy;
  }
  std::printf("noisy pair (25%% noise, 5%% shift): slower %d, noisy %d of 200 trials\n", slower, noisy);
  EXPECT_LE(slower, 2);  // at most 1% of trials
  EXPECT_GE(noisy, 190);
}

TEST(CompareStatistics, SmallRealChangeIsSame) {
  // A 1% change measured precisely is real but under the 5% threshold.
  const auto t = test_thresholds();
  Rng rng(17);
  EXPECT_EQ(verdict_for(normal_samples(rng, 100, 100, 0.001), normal_samples(rng, 100, 101, 0.001), t, 1),
            Verdict::same);
}

nlohmann::json document(const std::vector<CaseResult>& results, const std::string& gpu) {
  nlohmann::json doc = {{"environment", {{"gpu", {{"name", gpu}}}, {"driver_version", "580"}, {"cudnn", "9.14.0"}}},
                        {"results", nlohmann::json::array()}};
  for (const auto& r : results) doc["results"].push_back(result_to_json(r));
  return doc;
}

TEST(CompareDocuments, MatchesByKeyAndReportsNewMissingIncorrect) {
  CaseResult slow = ok_result("cudnn", 0.9, 100.0);
  CaseResult slow_now = ok_result("cudnn", 0.9, 120.0);
  CaseResult same = ok_result("im2col_cublas", 0.9, 50.0);
  CaseResult gone = ok_result("cudnn", 0.5, 10.0);
  CaseResult added = ok_result("cudnn", 0.7, 10.0);
  CaseResult broken_before = ok_result("im2col_cublas", 0.7, 10.0);
  CaseResult broken_now = incorrect_result();
  broken_now.c = broken_before.c;
  const auto base = document({slow, same, gone, broken_before}, "NVIDIA H100 80GB HBM3");
  const auto cur = document({slow_now, same, added, broken_now}, "NVIDIA H200");
  const Comparison cmp = compare_documents(base, cur, CompareThresholds{});
  std::map<std::string, std::string> status;
  std::map<std::string, Verdict> verdicts;
  for (const auto& c : cmp.cases) {
    status[c.key] = c.status;
    verdicts[c.key] = c.verdict;
  }
  EXPECT_EQ(status[result_to_json(gone)["case"]["key"]], "missing");
  EXPECT_EQ(status[result_to_json(added)["case"]["key"]], "new");
  EXPECT_EQ(status[result_to_json(broken_now)["case"]["key"]], "incorrect");
  EXPECT_EQ(verdicts[result_to_json(slow)["case"]["key"]], Verdict::slower);
  EXPECT_EQ(verdicts[result_to_json(same)["case"]["key"]], Verdict::same);
  EXPECT_TRUE(cmp.any_slower());
  ASSERT_EQ(cmp.warnings.size(), 1u);
  EXPECT_NE(cmp.warnings[0].find("GPU differs"), std::string::npos);
  ASSERT_EQ(cmp.backends.size(), 2u);
  EXPECT_EQ(cmp.backends[0].backend, "cudnn");
  EXPECT_NEAR(cmp.backends[0].geomean_ratio, 120.55 / 100.55, 1e-3);

  const std::string markdown = comparison_markdown(cmp, CompareThresholds{});
  EXPECT_NE(markdown.find("1 slower case"), std::string::npos);
  EXPECT_NE(markdown.find("| cudnn | 1 |"), std::string::npos);
  const std::string junit = comparison_junit(cmp);
  EXPECT_NE(junit.find("failures=\"1\""), std::string::npos);
  EXPECT_NE(junit.find("<failure message=\"slower"), std::string::npos);
  EXPECT_NE(junit.find("skipped=\"3\""), std::string::npos);
}

}  // namespace
}  // namespace scb
