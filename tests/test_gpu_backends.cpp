// Every backend, precision and layout on awkward shapes, verified against the FP64 reference
// by the same CaseRunner that `scbench run` uses.
#include <gtest/gtest.h>

#include "gpu_test_support.hpp"
#include "harness/backends/registry.hpp"
#include "harness/cli/sweep_runner.hpp"
#include "harness/verify/problem_data.hpp"
#include "harness/verify/reference.hpp"
#include "test_layer_builder.hpp"

namespace scb {
namespace {

using testing_support::make_layer;

std::vector<Layer> awkward_layers() {
  return {
      make_layer("odd_c3_k5_7x7", 3, 7, 7, 5, 3, 3, 1, 0, 1),
      make_layer("stride2_pad1", 16, 15, 13, 24, 3, 3, 2, 1, 1),
      make_layer("pad2_5x5", 8, 9, 9, 12, 5, 5, 1, 2, 1),
      make_layer("groups2", 16, 12, 12, 32, 3, 3, 1, 1, 2),
      make_layer("groups4_stride2", 32, 14, 14, 20, 3, 3, 2, 1, 4),
      make_layer("pointwise_1x1", 64, 7, 7, 36, 1, 1, 1, 0, 1),
      make_layer("dilation2", 8, 16, 16, 8, 3, 3, 1, 2, 1, 2),
      make_layer("stride4_11x11", 3, 35, 35, 16, 11, 11, 4, 0, 1),
      make_layer("rect_kim_like", 1, 20, 30, 10, 3, 30, 1, 0, 1),
  };
}

struct BackendCase {
  std::string backend;
  Precision precision;
  Layout layout;
};

void PrintTo(const BackendCase& bc, std::ostream* out) {
  *out << bc.backend << "_" << to_string(bc.precision) << "_" << to_string(bc.layout);  // no spaces: ctest names
}

class BackendCorrectness : public ::testing::TestWithParam<BackendCase> {};

TEST_P(BackendCorrectness, MatchesReferenceOnAwkwardShapes) {
  SCB_REQUIRE_GPU();
  MeasureSettings quick;
  quick.min_samples = 10;
  quick.max_samples = 10;
  quick.warmup_runs = 1;
  CaseRunner runner(7, quick);
  const BackendCase& bc = GetParam();
  for (const Layer& layer : awkward_layers())
    for (const int batch : {1, 3, 32})
      for (const double sparsity : {0.0, 0.9}) {
        Case c;
        c.layer = layer;
        c.batch = batch;
        c.weight_sparsity = sparsity;
        c.precision = bc.precision;
        c.layout = bc.layout;
        c.backend = bc.backend;
        const CaseResult r = runner.run(c);
        EXPECT_EQ(r.status, CaseStatus::ok) << c.key() << ": " << r.error;
        EXPECT_TRUE(r.verify.checked && r.verify.passed) << c.key();
        ASSERT_TRUE(r.status != CaseStatus::ok || r.timing.has_value()) << c.key();
      }
}

std::string name_of(const ::testing::TestParamInfo<BackendCase>& info) {
  return info.param.backend + "_" + to_string(info.param.precision) + "_" + to_string(info.param.layout);
}

INSTANTIATE_TEST_SUITE_P(Cudnn, BackendCorrectness,
                         ::testing::Values(BackendCase{"cudnn", Precision::fp32, Layout::nchw},
                                           BackendCase{"cudnn", Precision::tf32, Layout::nchw},
                                           BackendCase{"cudnn", Precision::fp16, Layout::nchw},
                                           BackendCase{"cudnn", Precision::bf16, Layout::nchw},
                                           BackendCase{"cudnn", Precision::fp32, Layout::nhwc},
                                           BackendCase{"cudnn", Precision::fp16, Layout::nhwc},
                                           BackendCase{"cudnn", Precision::bf16, Layout::nhwc}),
                         name_of);
INSTANTIATE_TEST_SUITE_P(Im2colCublas, BackendCorrectness,
                         ::testing::Values(BackendCase{"im2col_cublas", Precision::fp32, Layout::nchw},
                                           BackendCase{"im2col_cublas", Precision::tf32, Layout::nchw},
                                           BackendCase{"im2col_cublas", Precision::fp16, Layout::nchw},
                                           BackendCase{"im2col_cublas", Precision::bf16, Layout::nchw}),
                         name_of);

TEST(GpuReference, AgreesWithCpuReference) {
  SCB_REQUIRE_GPU();
  for (const Layer& layer : awkward_layers()) {
    Case c;
    c.layer = layer;
    c.batch = 2;
    c.weight_sparsity = 0.5;
    const HostProblem p = make_problem(c, 3);
    const auto cpu = reference_conv_cpu(layer, 2, p.input, p.weights);
    const auto gpu = reference_conv_gpu(layer, 2, p.input, p.weights);
    ASSERT_EQ(cpu.size(), gpu.size());
    for (std::size_t i = 0; i < cpu.size(); ++i) ASSERT_NEAR(cpu[i], gpu[i], 1e-12 * (1 + std::abs(cpu[i]))) << layer.name;
  }
}

TEST(Verification, WrongWeightsAreCaughtAsIncorrect) {
  SCB_REQUIRE_GPU();
  // The same layer with a different mask seed gives a different reference: a backend fed the
  // other weights must be flagged. We emulate it by comparing two problems' outputs.
  Case a;
  a.layer = awkward_layers()[1];
  a.batch = 2;
  a.weight_sparsity = 0.5;
  const HostProblem p1 = make_problem(a, 1), p2 = make_problem(a, 2);
  const auto r1 = reference_conv_gpu(a.layer, 2, p1.input, p1.weights);
  const auto r2 = reference_conv_gpu(a.layer, 2, p2.input, p2.weights);
  EXPECT_FALSE(within_tolerance(compare_outputs(r1, r2), tolerance_for(Precision::bf16)));
}

TEST(ForcedAlgorithm, UnsupportedAlgorithmIsACaseErrorNotACrash) {
  SCB_REQUIRE_GPU();
  MeasureSettings quick;
  quick.max_samples = 10;
  CaseRunner runner(1, quick);
  Case c;
  c.layer = make_layer("stride2", 8, 16, 16, 8, 5, 5, 2, 2, 1);
  c.batch = 1;
  c.backend = "cudnn";
  c.params = {{"algo", "winograd"}};  // winograd needs 3x3 stride 1
  const CaseResult r = runner.run(c);
  EXPECT_EQ(r.status, CaseStatus::error);
  EXPECT_NE(r.error.find("winograd"), std::string::npos) << r.error;
  // The runner stays usable after the failure.
  c.params = {{"algo", "implicit_gemm"}};
  EXPECT_EQ(runner.run(c).status, CaseStatus::ok);
}

}  // namespace
}  // namespace scb
