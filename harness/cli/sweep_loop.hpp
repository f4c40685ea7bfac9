#pragma once
// The loop over a plan's cases: checkpoint each result, show progress, write the document, summarize.
#include <filesystem>
#include <string>
#include <vector>

#include "harness/run/case_runner.hpp"
#include "harness/spec/case.hpp"
#include "harness/spec/sweep.hpp"

namespace scb {

struct RunOptions {
  std::filesystem::path output;
  bool resume = false;
  bool retry_unsuccessful = false;     // with resume: run incorrect and failed cases again
  bool accept_other_identity = false;  // with resume: keep results of another sweep hash or tool version
  bool verify_only = false;
  TuningOptions tuning;  // where tuned cases read and write their choices; scbench tune: tune only
  nlohmann::json shard;  // {index, count, plan_case_count} when this run is one shard of the plan
};

// Returns the process exit code: 0 when every case is ok (or verified), 1 when any is incorrect or failed.
int run_sweep(const Sweep& sweep, const Plan& plan, const RunOptions& options);

// The same over several GPUs of this host: one worker process per device (`worker_argv` starts one; the
// device is given as CUDA_VISIBLE_DEVICES), one progress line for all, one document at the end. A worker
// that crashes or hangs is charged with its case and restarted.
int run_sweep_on_gpus(const Sweep& sweep, const Plan& plan, const RunOptions& options, const std::vector<int>& devices,
                      const std::vector<std::string>& worker_argv, double case_timeout_s);

// A worker's side: reads case keys on stdin, runs each on this process's GPU, writes each result as one
// JSON line (naming the GPU); first a line {"environment": ...}.
int run_worker(const Sweep& sweep, const Plan& plan, const RunOptions& options);

}  // namespace scb
