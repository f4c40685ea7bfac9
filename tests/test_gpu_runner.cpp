// The whole run path, as `scbench run` takes it: plan, case engine, checkpoint, result document, exit code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gpu_test_support.hpp"
#include "harness/backends/registry.hpp"
#include "harness/cli/plan.hpp"
#include "harness/cli/sweep_loop.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/report/json_file.hpp"
#include "harness/report/result_store.hpp"
#include "harness/spec/sweep.hpp"

namespace scb {
namespace {

// A backend that computes the right convolution (im2col + cuBLAS) and then overwrites the first 64
// outputs: only the verification stands between it and a timing.
class PerturbedBackend final : public Backend {
 public:
  std::string name() const override { return "test_perturbed"; }
  std::string summary() const override { return "test only: im2col_cublas with 64 outputs overwritten"; }
  std::optional<Unsupported> unsupported(const Case& c) const override { return inner()->unsupported(c); }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    class Op final : public PreparedOp {
     public:
      Op(std::unique_ptr<PreparedOp> inner, void* output) : inner_(std::move(inner)), output_(output) {}
      void run(cudaStream_t stream) override {
        inner_->run(stream);
        SCB_CUDA(cudaMemsetAsync(output_, 0x40, 64 * sizeof(float), stream));  // each float becomes 3.0039
      }

     private:
      std::unique_ptr<PreparedOp> inner_;
      void* output_;
    };
    return std::make_unique<Op>(inner()->prepare(gpu, c, data), data.output);
  }

 private:
  static const Backend* inner() { return find_backend("im2col_cublas"); }
};

TEST(Verification, AWrongBackendIsIncorrectNeverTimedAndFailsTheRun) {
  SCB_REQUIRE_GPU();
  if (!find_backend("test_perturbed")) add_backend(std::make_unique<PerturbedBackend>());
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "perturbed";
  std::filesystem::create_directories(dir);
  const auto sweep_file = dir / "perturbed.yaml";
  std::ofstream(sweep_file) << "name: perturbed\nlayers: [{network: lenet5, names: [conv2]}]\nbatch: 1\n"
                               "weight_sparsity: 0.5\nprecision: fp32\nbackends: [test_perturbed, im2col_cublas]\n"
                               "measure: {max_time_s: 0.05, kernel_scope: false, counters: \"off\"}\n";
  const Sweep sweep = load_sweep(sweep_file);
  const Plan plan = build_plan(sweep);
  ASSERT_EQ(plan.cases.size(), 2u);
  RunOptions options;
  options.output = dir / "perturbed.json.gz";
  std::filesystem::remove(ResultStore::checkpoint_path(options.output));
  EXPECT_EQ(run_sweep(sweep, plan, options), 1) << "an incorrect case makes the run exit 1";
  const auto document = read_result_document(options.output);
  ASSERT_EQ(document["results"].size(), 2u) << "the sweep goes on after the incorrect case";
  for (const auto& r : document["results"]) {
    if (r["case"]["backend"] == "test_perturbed") {
      EXPECT_EQ(r["status"], "incorrect");
      EXPECT_FALSE(r["verify"]["passed"].get<bool>());
      EXPECT_TRUE(r["timing"].is_null()) << "an incorrect case is never timed";
      EXPECT_GT(r["verify"]["max_rel_error"].get<double>(), 1e-2);
    } else {
      EXPECT_EQ(r["status"], "ok") << r.dump();
      EXPECT_TRUE(r["timing"].is_object());
    }
  }
}

}  // namespace
}  // namespace scb
