#pragma once
// Several worker processes, one per GPU, each running cases it is sent one at a time. A worker that
// crashes or hangs is charged with the case it was running, restarted, and given the next case; the other
// workers are not disturbed.
//
// Protocol: the pool writes "KEY\n" to a worker's stdin for each case; the worker answers with one JSON
// line on stdout per case (the case's result, whose case.key is KEY) and exits when stdin closes.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace scb {

struct WorkerSpec {
  std::string name;               // e.g. "GPU 2"
  std::vector<std::string> argv;  // the worker command
  std::vector<std::string> env;   // added to the environment, e.g. CUDA_VISIBLE_DEVICES=2
};

struct PoolSettings {
  double case_timeout_s = 1800;  // a case that runs longer counts as a hang
};

// Groups of case keys that share data, in plan order; a worker takes a whole group, case by case.
using CaseGroups = std::vector<std::vector<std::string>>;

// Runs every case once across the workers. `on_result` gets each result (a worker's answer, or an error
// result for a case whose worker crashed or hung, naming the worker), in the order they finish;
// `on_environment` gets the {"environment": ...} line a worker may print when it starts. Returns the number
// of worker restarts.
int run_worker_pool(
    const std::vector<WorkerSpec>& workers, const CaseGroups& groups, const PoolSettings& settings,
    const std::function<void(const nlohmann::json& result, const std::string& worker)>& on_result,
    const std::function<void(const nlohmann::json& environment, const std::string& worker)>& on_environment = {});

}  // namespace scb
