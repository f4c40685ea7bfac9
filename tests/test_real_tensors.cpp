// Real weights and feature maps from .npy files in a sweep (`weights:` and `activation:`): the plan labels
// each case with the files' real sparsities, the case data are the files' values, and bad files or
// contradicting keys are errors that name the line and the fix.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "harness/cli/plan.hpp"
#include "harness/data/problem_data.hpp"
#include "harness/report/result.hpp"
#include "harness/spec/case.hpp"
#include "harness/spec/sweep.hpp"
#include "npy_test_file.hpp"

namespace scb {
namespace {

class RealTensors : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::path(SCBENCH_TEST_TMP) / "real" /
                              ::testing::UnitTest::GetInstance()->current_test_info()->name();
  void SetUp() override {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  // A float .npy file (float32 unless `descr` says otherwise): element i is value(i) as 4 bytes.
  template <typename F>
  void write_floats(const std::string& name, const std::vector<int>& shape, F value, const char* descr = "<f4") {
    testing_support::write_npy_file(dir / name, descr, shape, [&](std::size_t i, std::ofstream& out) {
      const float v = value(i);
      char bytes[4];
      std::memcpy(bytes, &v, 4);
      out.write(bytes, 4);
    });
  }
  // LeNet-5 conv2: K=50, C=20, 5x5, input 20 x 12 x 12.
  std::string sweep(const std::string& extra) const {
    return "layers: [{network: lenet5, names: [conv2]}]\nbatch: 2\nprecision: [fp32, fp16]\nbackends: [cudnn]\n" +
           extra;
  }
  std::string weights_key() const {
    return "weights: {kind: file, path: \"" + (dir / "{network}_{layer}.w.npy").string() + "\"}\n";
  }
  std::string activation_key() const {
    return "activation: {kind: file, path: \"" + (dir / "{network}_{layer}.x.npy").string() + "\"}\n";
  }
  void expect_error(const std::string& text, int line, const std::string& problem) {
    try {
      build_plan(parse_sweep(text, "t.yaml"));
      FAIL() << "expected an error containing '" << problem << "'";
    } catch (const SpecError& e) {
      EXPECT_EQ(e.mark().line, line) << e.what();
      EXPECT_NE(e.problem().find(problem), std::string::npos) << e.what();
      EXPECT_FALSE(e.fix().empty()) << e.what();
    }
  }
};

TEST_F(RealTensors, CasesCarryTheFilesRealSparsitiesAndValues) {
  // Weights: every 5th nonzero (80% sparse), values (i + 1) / 1000. Feature map: every 2nd zero (50% sparse).
  write_floats("lenet5_conv2.w.npy", {50, 20, 5, 5},
               [](std::size_t i) { return i % 5 == 0 ? float(i + 1) / 1000 : 0.0f; });
  write_floats("lenet5_conv2.x.npy", {2, 20, 12, 12}, [](std::size_t i) { return i % 2 ? 0.25f : 0.0f; });
  const Plan plan = build_plan(parse_sweep(sweep(weights_key() + activation_key()), "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 2u);
  const Case& c = plan.cases[0];
  EXPECT_DOUBLE_EQ(c.weight_sparsity, 0.8);
  EXPECT_DOUBLE_EQ(c.activation_sparsity, 0.5);
  EXPECT_EQ(c.mask.label(), "weights");
  EXPECT_NE(c.key().find("ws=0.8000 as=0.5000f mask=weights"), std::string::npos) << c.key();

  const HostProblem p = make_problem(c, 1);
  ASSERT_EQ(p.weights.size(), 50u * 20 * 25);
  EXPECT_FLOAT_EQ(p.weights[5], 0.006f);
  EXPECT_EQ(p.weights[6], 0.0f);
  EXPECT_EQ(p.mask[5], 1);
  EXPECT_EQ(p.mask[6], 0);
  EXPECT_DOUBLE_EQ(p.weight_density, 0.2);
  EXPECT_FLOAT_EQ(p.input[1], 0.25f);
  EXPECT_EQ(p.input[2], 0.0f);
  EXPECT_DOUBLE_EQ(p.activation_density, 0.5);

  const auto json = case_to_json(c);
  EXPECT_EQ(json["activation_pattern"], "file");
  EXPECT_EQ(json["weights_file"], (dir / "lenet5_conv2.w.npy").string());
  EXPECT_EQ(json["activation_file"], (dir / "lenet5_conv2.x.npy").string());
}

TEST_F(RealTensors, Fp16CasesRoundTheFilesValuesAndTheirZerosFollow) {
  // 1e-8 rounds to zero in fp16: the mask is what the GPU sees.
  write_floats("lenet5_conv2.w.npy", {50, 20, 5, 5}, [](std::size_t i) { return i == 3 ? 1e-8f : 1.0f; });
  const Plan plan = build_plan(parse_sweep(sweep(weights_key()), "t.yaml"));
  const auto fp16 =
      std::find_if(plan.cases.begin(), plan.cases.end(), [](const Case& c) { return c.precision == Precision::fp16; });
  ASSERT_NE(fp16, plan.cases.end());
  const HostProblem p = make_problem(*fp16, 1);
  EXPECT_EQ(p.weights[3], 0.0f);
  EXPECT_EQ(p.mask[3], 0);
  EXPECT_EQ(p.mask[4], 1);
}

TEST_F(RealTensors, WrongShapesAndMissingFilesAreErrorsThatSayTheShape) {
  expect_error(sweep(weights_key()), 5, "does not exist");
  write_floats("lenet5_conv2.w.npy", {50, 20, 3, 3}, [](std::size_t) { return 1.0f; });
  expect_error(sweep(weights_key()), 5, "does not match the expected (50, 20, 5, 5)");
  write_floats("lenet5_conv2.w.npy", {50, 20, 5, 5}, [](std::size_t) { return 1.0f; });
  // The feature map's N must be the sweep's batch (2).
  write_floats("lenet5_conv2.x.npy", {3, 20, 12, 12}, [](std::size_t) { return 1.0f; });
  expect_error(sweep(weights_key() + activation_key()), 6, "does not match the expected (2, 20, 12, 12)");
}

TEST_F(RealTensors, NonFloatOrNonFiniteValuesAreRefused) {
  write_floats("lenet5_conv2.w.npy", {50, 20, 5, 5}, [](std::size_t i) { return i == 7 ? NAN : 1.0f; });
  expect_error(sweep(weights_key()), 5, "element 7 is nan");
  write_floats(
      "lenet5_conv2.w.npy", {50, 20, 5, 5}, [](std::size_t) { return 1.0f; }, "<i4");
  expect_error(sweep(weights_key()), 5, "dtype '<i4' is not supported");
}

TEST_F(RealTensors, KeysThatContradictAFileAreErrors) {
  expect_error(sweep(weights_key() + "mask: [uniform]\n"), 6, "'mask' does not apply to weights read from a file");
  expect_error(sweep(weights_key() + "weight_sparsity: [0.5]\n"), 6, "'weight_sparsity' does not apply");
  expect_error(sweep(activation_key() + "activation_sparsity: [0.5]\n"), 6, "'activation_sparsity' does not apply");
  expect_error(sweep("weights: {kind: csv, path: a}\n"), 5, "unknown weights kind 'csv'");
  expect_error(sweep("weights: {kind: file}\n"), 5, "needs 'path'");
  expect_error(sweep("mask: [weights]\n"), 5, "real weights are not a mask kind");
}

TEST_F(RealTensors, RandomIsTheDefaultAndCanBeNamed) {
  const Plan plan = build_plan(parse_sweep(sweep("weights: random\nactivation: {kind: random}\n"), "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 2u);
  EXPECT_EQ(plan.cases[0].mask.label(), "uniform");
  EXPECT_FALSE(plan.cases[0].activation.from_file());
}

}  // namespace
}  // namespace scb
