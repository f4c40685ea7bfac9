#pragma once
// The loop over a plan's cases: checkpoint each result, show progress, write the document, summarize.
#include <filesystem>

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

}  // namespace scb
