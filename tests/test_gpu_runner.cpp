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
#include "harness/tune/tuning_cache.hpp"

namespace scb {
namespace {

// 32 x 16 x 56 x 56 fp32 input (6.4 MB) and output of the same size: copies that take visible time.
Layer testing_support_layer() {
  Layer l;
  l.network = "test";
  l.name = "end_to_end";
  l.C = 16, l.H = 56, l.W = 56, l.K = 16, l.R = 3, l.S = 3, l.pad_h = l.pad_w = 1;
  return l;
}

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

// Issue 18: a real tuning run on the GPU, verified and cached; then the same case with params: auto takes
// the cached choice and evaluates nothing.
TEST(Tuning, ARealTuningRunIsVerifiedAndCachedAndTheSecondRunOnlyHits) {
  SCB_REQUIRE_GPU();
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "tuning_run";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string head =
      "layers: [{network: lenet5, names: [conv2]}]\nbatch: 4\nweight_sparsity: 0.8\n"
      "precision: fp32\nmeasure: {max_time_s: 0.05, kernel_scope: false, counters: \"off\"}\n";
  const auto run_sweep_text = [&](const std::string& name, const std::string& backends) {
    std::ofstream(dir / (name + ".yaml")) << head << backends;
    const Sweep sweep = load_sweep(dir / (name + ".yaml"));
    RunOptions options;
    options.output = dir / (name + ".json.gz");
    options.tuning.cache_file = dir / "cache.jsonl";
    EXPECT_EQ(run_sweep(sweep, build_plan(sweep), options), 0) << name;
    return read_result_document(options.output)["results"][0];
  };
  const auto tuned = run_sweep_text(
      "tuned", "backends: [{name: direct_sparse, tune: {strategy: random, budget: {evaluations: 6}}}]\n");
  ASSERT_EQ(tuned["status"], "ok") << tuned.dump();
  const auto& tuning = tuned["tuning"];
  EXPECT_EQ(tuning["evaluations_used"], 6);
  EXPECT_EQ(tuning["evaluated"].size(), 6u);
  for (const auto& e : tuning["evaluated"]) EXPECT_TRUE(e.contains("median_us") || e.contains("failure")) << e.dump();
  EXPECT_GE(tuning["retimed"].size(), 1u);
  EXPECT_LE(tuning["retimed"].size(), 3u);
  EXPECT_TRUE(tuned["timing"].is_object()) << "the choice then runs as an ordinary case";
  const auto lines = TuningCache(dir / "cache.jsonl").read_all();
  EXPECT_EQ(lines.size(), 7u) << "six evaluations and one choice";

  const auto again = run_sweep_text("again", "backends: [{name: direct_sparse, params: auto}]\n");
  ASSERT_EQ(again["status"], "ok") << again.dump();
  EXPECT_EQ(again["tuning"]["cache"], "hit");
  EXPECT_EQ(again["tuning"]["evaluations_used"], 0);
  EXPECT_EQ(again["tuning"]["chosen"], tuning["chosen"]);
  EXPECT_EQ(TuningCache(dir / "cache.jsonl").read_all().size(), 7u) << "a hit evaluates and writes nothing";
}

// scope: end_to_end (Xu et al.'s timing, for reproductions) times allocation, the copies in, the op, the copy
// out and the frees: on a layer whose input is 6.4 MB it must read well above the op alone, and say its scope.
TEST(EndToEnd, TheScopeAddsTheCopiesAndAllocationsToTheOp) {
  SCB_REQUIRE_GPU();
  Case c;
  c.layer = testing_support_layer();
  c.batch = 32;
  c.backend = "cudnn";
  MeasureSettings gpu_scope;
  gpu_scope.min_samples = gpu_scope.max_samples = 10;
  gpu_scope.kernel_scope = false;
  gpu_scope.counters = "off";
  MeasureSettings end_to_end = gpu_scope;
  end_to_end.scope = TimingScope::end_to_end;
  end_to_end.cold_l2 = false;
  const CaseResult op_only = CaseRunner(7, gpu_scope).run(c);
  const CaseResult whole = CaseRunner(7, end_to_end).run(c);
  ASSERT_EQ(op_only.status, CaseStatus::ok) << op_only.error;
  ASSERT_EQ(whole.status, CaseStatus::ok) << whole.error;
  EXPECT_TRUE(whole.verify.passed) << "verified before it is timed, as every case";
  EXPECT_EQ(whole.timing->scope, TimingScope::end_to_end);
  // 6.4 MB in and 6.4 MB out over PCIe at most ~50 GB/s: at least 250 us more than the op.
  std::printf("[proof] end_to_end %.1f us, gpu scope %.1f us\n", whole.timing->stats.median,
              op_only.timing->stats.median);
  EXPECT_GT(whole.timing->stats.median, op_only.timing->stats.median + 250.0);
}

}  // namespace
}  // namespace scb
