// Statistics, the stopping rule and the kernel-scope arithmetic of the timing engine (the GPU part is in
// test_gpu_engine.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "harness/gpu/device.hpp"
#include "harness/measure/counters.hpp"
#include "harness/measure/kernel_trace.hpp"
#include "harness/measure/statistics.hpp"
#include "harness/measure/timing_engine.hpp"
#include "harness/spec/sweep.hpp"
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

namespace scb {
namespace {

TEST(Counters, ChoiceIsOffLeanOrAList) {
  EXPECT_TRUE(parse_counter_choice("off").empty());
  EXPECT_EQ(parse_counter_choice("lean"), lean_metrics());
  EXPECT_EQ(parse_counter_choice("dram__bytes_read.sum,lts__t_bytes.sum"),
            (std::vector<std::string>{"dram__bytes_read.sum", "lts__t_bytes.sum"}));
}

// The Host API needs no GPU: metric names and pass counts are checked offline for the H100's chip.
TEST(Counters, LeanSetIsOnePassOnGH100AndBadNamesAreNamed) {
  const MetricCheck lean = check_metrics("GH100", lean_metrics());
  ASSERT_FALSE(lean.error.has_value()) << *lean.error;
  EXPECT_EQ(lean.passes, 1);
  const MetricCheck with_sass = check_metrics("GH100", {"sm__sass_thread_inst_executed_op_ffma_pred_on.sum"});
  ASSERT_FALSE(with_sass.error.has_value()) << *with_sass.error;
  EXPECT_GE(with_sass.passes, 1);
  const MetricCheck bad = check_metrics("GH100", {"dram__bytes_read.sum", "dram__bytes_sideways.sum"});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_NE(bad.error->find("dram__bytes_sideways.sum"), std::string::npos) << *bad.error;
  EXPECT_EQ(bad.error->find("dram__bytes_read.sum"), std::string::npos) << *bad.error;
}

TEST(Counters, EveryCommittedSweepNamesMetricsThatGH100Knows) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(SCBENCH_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    const Sweep sweep = load_sweep(entry.path());
    const auto metrics = parse_counter_choice(sweep.measure.counters);
    if (metrics.empty()) continue;
    const MetricCheck check = check_metrics("GH100", metrics);
    EXPECT_FALSE(check.error.has_value()) << entry.path() << ": " << check.error.value_or("");
    EXPECT_LE(check.passes, 4) << entry.path() << ": each pass replays every kernel";
    ++checked;
  }
  EXPECT_GE(checked, 2);  // lean by default, and the direct_sparse profile's own list
}

TEST(Counters, OpTotalsAddOnlyAdditiveMetrics) {
  const std::vector<std::string> metrics{"dram__bytes_read.sum", "sm__warps_active.avg.pct_of_peak_sustained_active"};
  const auto totals = additive_totals(metrics, {{{100.0, 50.0}}, {{20.0, 90.0}}});
  ASSERT_EQ(totals.size(), 1u);  // a percentage is never averaged or added across kernels
  EXPECT_EQ(totals[0].first, "dram__bytes_read.sum");
  EXPECT_DOUBLE_EQ(totals[0].second, 120.0);
}

TEST(Counters, WithoutAGpuTheyAreUnavailableWithAReason) {
  if (probe_gpu().available) GTEST_SKIP() << "a GPU is present: the unavailable path is the other machine's";
  std::string why;
  EXPECT_EQ(CounterSession::open(0, lean_metrics(), why), nullptr);
  EXPECT_FALSE(why.empty());
}

TEST(Energy, PerOpFromTheCounterDelta) {
  const EnergyResult e = energy_from_counter(5'000'000, 5'300'000, 1'000, 1.5);
  EXPECT_DOUBLE_EQ(e.mj_per_op, 300.0);
  EXPECT_DOUBLE_EQ(e.average_watts, 200.0);  // 300 J over 1.5 s
  EXPECT_EQ(e.ops, 1000);
  // A counter that went backwards (driver reload) gives zero, not a huge unsigned difference.
  EXPECT_DOUBLE_EQ(energy_from_counter(10, 5, 10, 1.0).mj_per_op, 0.0);
}

TEST(KernelScope, UnionCountsOverlappingKernelsOnce) {
  EXPECT_EQ(union_length_ns({}), 0u);
  EXPECT_EQ(union_length_ns({{10, 20}, {30, 45}}), 25u);             // disjoint: a launch gap is not kernel time
  EXPECT_EQ(union_length_ns({{10, 30}, {20, 40}}), 30u);             // overlapping streams
  EXPECT_EQ(union_length_ns({{10, 100}, {20, 30}, {40, 50}}), 90u);  // nested
  EXPECT_EQ(union_length_ns({{50, 60}, {10, 20}, {15, 25}}), 25u);   // unsorted
  EXPECT_EQ(union_length_ns({{10, 10}, {30, 20}}), 0u);              // empty and reversed records are ignored
}

TEST(KernelScope, DemanglesCxxNamesAndKeepsPlainOnes) {
  EXPECT_EQ(demangle("_ZN3scb7kernels6im2colEv"), "scb::kernels::im2col()");
  EXPECT_EQ(demangle("sm90_xmma_gemm_f32f32_tf32f32"), "sm90_xmma_gemm_f32f32_tf32f32");
  EXPECT_EQ(demangle(nullptr), "");
}

TEST(KernelScope, OneSamplePerExecutionAndTheLastExecutionsKernels) {
  using Traced = KernelTrace::Traced;
  const auto k = [](const char* name, std::uint64_t start, std::uint64_t end) {
    Traced t;
    t.launch.name = name;
    t.start_ns = start;
    t.end_ns = end;
    return t;
  };
  const KernelScope scope =
      summarize_trace({{1, {k("a", 0, 10'000), k("b", 12'000, 20'000)}}, {2, {k("a", 100'000, 111'000)}}});
  ASSERT_EQ(scope.samples_us.size(), 2u);
  EXPECT_DOUBLE_EQ(scope.samples_us[0], 18.0);  // 10 us + 8 us, the 2 us gap excluded
  EXPECT_DOUBLE_EQ(scope.samples_us[1], 11.0);
  ASSERT_EQ(scope.kernels.size(), 1u);
  EXPECT_EQ(scope.kernels[0].name, "a");
  EXPECT_EQ(scope.stats.count, 2);
}

TEST(KernelScope, WithoutAGpuTracingIsUnavailableWithAReason) {
  if (probe_gpu().available) GTEST_SKIP() << "a GPU is present: the unavailable path is the other machine's";
  std::string why;
  EXPECT_EQ(KernelTrace::open(why), nullptr);
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace scb
