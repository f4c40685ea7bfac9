#pragma once
// The case engine: data and reference per data key, then per case prepare, verify into a NaN-poisoned
// output, and only then time (gpu scope), trace (kernel scope), count (CUPTI) and measure energy.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/backends/backend.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/l2_flush.hpp"
#include "harness/measure/counters.hpp"
#include "harness/measure/timing_engine.hpp"
#include "harness/report/result.hpp"
#include "harness/tune/search_space.hpp"
#include "harness/tune/tuning_cache.hpp"
#include "harness/spec/case.hpp"
#include "harness/data/problem_data.hpp"

namespace scb {

// Wall seconds a run spent in each pass, over all its cases: says what a sweep's time goes to.
// What a tuned case searches: the backend's params over their legal values, or over the sweep's `space:`
// (params it leaves out keep their defaults), with the backend's rules.
SearchSpace search_space_of(const Backend& backend, const Case& c);

struct PassSeconds {
  double data = 0;  // inputs, weights, masks and the FP64 reference
  double prepare = 0, verify = 0, timing = 0, kernel_scope = 0, counters = 0, energy = 0;
};
std::string describe(const PassSeconds& seconds);

// How tuned cases use the tuning cache.
struct TuningOptions {
  std::filesystem::path cache_file = TuningCache::default_file();
  bool tune_on_miss = true;  // params: auto without a cached choice: tune (true), or run the defaults with a warning
  bool tune_only = false;    // scbench tune: choose and cache, skip the final timing (status `verified`)
};

// Runs single cases on the GPU. Data and the reference are built once per data key (consecutive
// cases that share layer, batch, sparsities and mask) and storage type, and reused.
class CaseRunner {
 public:
  // verify_only: every case is verified and none is timed (status `verified`): for compute-sanitizer runs.
  CaseRunner(std::uint64_t seed, MeasureSettings settings, bool verify_only = false, TuningOptions tuning = {});
  ~CaseRunner();
  // Never throws for a case's own failure: that is the result's status `error`.
  CaseResult run(const Case& c);
  // collect_environment() plus the run's timing floor (an empty kernel timed with the run's settings).
  nlohmann::json environment();
  const std::string& nvml_missing() const { return nvml_missing_; }
  // Why the counters pass cannot run (empty when it can, or when counters are off).
  const std::string& counters_missing() const { return counters_missing_; }
  // True when the counters failed because of the metric names themselves (bad input, not the machine).
  bool counters_misnamed() const { return counters_misnamed_; }
  const PassSeconds& pass_seconds() const { return pass_seconds_; }

 private:
  struct PreparedData;
  struct UploadedData;
  const PreparedData& data_for(const Case& c);
  const UploadedData& uploaded_for(const Case& c, const HostProblem& host);
  CaseResult run_with(const Case& c, const MeasureSettings& timing, bool extra_passes);
  Op end_to_end_op(const Case& c, const HostProblem& host, const DeviceProblem& problem, PreparedOp& op);
  CaseResult run_tuned(const Case& c);
  CaseResult tune_then_run(const Case& c);
  TuningKey tuning_key(const Case& c) const;
  // `timing` times the verified op; `extra_passes`: also the kernel-scope, counters and energy passes.
  void verify_then_time(const Case& c, const PreparedData& data, const UploadedData& uploaded, CaseResult& result,
                        const MeasureSettings& timing, bool extra_passes);
  void check_device_still_usable();
  // An op's candidates, fastest first, and their times (null when it has only one).
  struct CandidateOrder {
    std::vector<std::size_t> indices;
    nlohmann::json timing;
  };
  CandidateOrder candidate_order(PreparedOp& op);
  nlohmann::json timing_floor();
  nlohmann::json copy_bandwidth();

  std::uint64_t seed_;
  MeasureSettings settings_;
  bool verify_only_ = false;
  GpuContext gpu_;
  L2Flush l2_flush_;  // one for the run: the engine flushes with it before each cold sample
  std::unique_ptr<Nvml> nvml_;
  std::string nvml_missing_;
  std::unique_ptr<TimingEngine> engine_;
  std::unique_ptr<CounterSession> counters_;
  std::string counters_missing_;
  bool counters_misnamed_ = false;
  DeviceCeilings ceilings_;
  double copy_median_us_ = 0;  // the measured copy's median (ceilings_.measured_copy_gbs)
  std::string input_key_;
  std::map<StorageType, HostInput> inputs_;
  std::map<std::pair<StorageType, Layout>, DeviceBuffer> input_uploads_;
  std::string data_key_;
  std::map<StorageType, PreparedData> data_;
  std::map<std::pair<StorageType, Layout>, UploadedData> uploads_;
  PassSeconds pass_seconds_;
  TuningOptions tuning_options_;
  TuningCache cache_;
  nlohmann::json environment_;          // collected once: the tuning key's GPU and library versions
  std::vector<std::byte> output_host_;  // the op's output, copied back for verification
};

}  // namespace scb
