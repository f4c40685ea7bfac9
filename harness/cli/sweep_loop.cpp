#include "harness/cli/sweep_loop.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

#include "harness/cli/worker_pool.hpp"

#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/report/console.hpp"
#include "harness/report/document_header.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "harness/run/case_runner.hpp"

namespace scb {

int finish_run(ResultStore& store, const nlohmann::json& document, const RunOptions& options,
               const std::string& closing_note);

int run_sweep(const Sweep& sweep, const Plan& plan, const RunOptions& options) {
  ResultStore store(options.output, RunIdentity{sweep.content_hash, SCBENCH_VERSION},
                    ResumeOptions{options.resume, options.retry_unsuccessful, options.accept_other_identity});
  CaseRunner runner(sweep.seed, sweep.measure, options.verify_only, options.tuning);
  if (!runner.nvml_missing().empty())
    std::fprintf(stderr, "note: SM clock readings unavailable (%s)\n", runner.nvml_missing().c_str());
  if (runner.counters_misnamed()) {
    std::fprintf(stderr,
                 "error: measure.counters: %s\n  fix: use metric names of this GPU (ncu --query-metrics), "
                 "'lean' or 'off'\n",
                 runner.counters_missing().c_str());
    return 2;
  }
  if (!runner.counters_missing().empty())
    std::fprintf(stderr, "note: hardware counters unavailable (%s); timing goes on\n",
                 runner.counters_missing().c_str());
  nlohmann::json document = result_document_header(runner.environment(), sweep_json(sweep, plan.cases.size()));
  if (!options.shard.is_null()) document["sweep"]["shard"] = options.shard;

  ProgressLine progress(plan.cases.size());
  std::size_t skipped = 0;
  for (const auto& c : plan.cases) skipped += store.finished(c.key()) ? 1 : 0;
  if (skipped) {
    std::fprintf(stderr, "resuming: %zu of %zu cases already finished\n", skipped, plan.cases.size());
    progress.skipped(skipped);
  }
  try {
    for (const auto& c : plan.cases) {
      if (store.finished(c.key())) continue;
      const nlohmann::json result = result_to_json(runner.run(c));
      store.append(result);
      progress.case_done(result_brief(result));
    }
  } catch (const GpuError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    store.write_final(document);
    return 1;
  }
  return finish_run(store, document, options, "time by pass: " + describe(runner.pass_seconds()));
}

// Writes the document and prints the summary; the exit code of the run.
int finish_run(ResultStore& store, const nlohmann::json& document, const RunOptions& options,
               const std::string& closing_note) {
  store.write_final(document);
  std::size_t ok = 0, verified = 0, incorrect = 0, failed = 0;
  for (const auto& r : store.results()) {
    const std::string status = r.at("status").get<std::string>();
    ok += status == "ok";
    verified += status == "verified";
    incorrect += status == "incorrect";
    failed += status == "error";
  }
  std::printf("%s\n", summary_table(store.results()).c_str());
  if (verified > 0) std::printf("%zu verified (not timed), ", verified);
  std::printf("%zu ok, %zu incorrect, %zu failed; results in %s\n", ok, incorrect, failed, options.output.c_str());
  if (!closing_note.empty()) std::printf("%s\n", closing_note.c_str());
  return incorrect + failed == 0 ? 0 : 1;
}

int run_sweep_on_gpus(const Sweep& sweep, const Plan& plan, const RunOptions& options, const std::vector<int>& devices,
                      const std::vector<std::string>& worker_argv, double case_timeout_s) {
  ResultStore store(options.output, RunIdentity{sweep.content_hash, SCBENCH_VERSION},
                    ResumeOptions{options.resume, options.retry_unsuccessful, options.accept_other_identity});
  CaseGroups groups;
  std::string last_data_key;
  std::size_t skipped = 0;
  for (const auto& c : plan.cases) {
    if (store.finished(c.key())) {
      ++skipped;
      continue;
    }
    if (groups.empty() || c.data_key() != last_data_key) groups.emplace_back();
    groups.back().push_back(c.key());
    last_data_key = c.data_key();
  }
  std::vector<WorkerSpec> workers;
  for (const int device : devices)
    workers.push_back(
        {"GPU " + std::to_string(device), worker_argv, {"CUDA_VISIBLE_DEVICES=" + std::to_string(device)}});
  ProgressLine progress(plan.cases.size());
  if (skipped) progress.skipped(skipped);
  std::fprintf(stderr, "%zu workers on GPUs", workers.size());
  for (const int device : devices) std::fprintf(stderr, " %d", device);
  std::fprintf(stderr, "\n");
  nlohmann::json environment;
  nlohmann::json gpus = nlohmann::json::array();
  const int restarts = run_worker_pool(
      workers, groups, {case_timeout_s},
      [&](const nlohmann::json& result, const std::string& worker) {
        store.append(result);
        progress.case_done(worker + " | " + result_brief(result));
      },
      [&](const nlohmann::json& env, const std::string&) {
        if (environment.is_null()) environment = env;
        const nlohmann::json gpu = env.value("gpu", nlohmann::json::object());
        if (std::find(gpus.begin(), gpus.end(), gpu) == gpus.end()) gpus.push_back(gpu);
      });
  if (environment.is_null()) environment = {{"gpu", {{"name", "unknown (no worker started)"}}}};
  environment["gpus"] = gpus;
  nlohmann::json document = result_document_header(environment, sweep_json(sweep, plan.cases.size()));
  if (!options.shard.is_null()) document["sweep"]["shard"] = options.shard;
  return finish_run(store, document, options,
                    std::to_string(devices.size()) + " GPUs, " + std::to_string(restarts) + " worker restarts");
}

int run_worker(const Sweep& sweep, const Plan& plan, const RunOptions& options) {
  std::map<std::string, const Case*> by_key;
  for (const auto& c : plan.cases) by_key[c.key()] = &c;
  CaseRunner runner(sweep.seed, sweep.measure, options.verify_only, options.tuning);
  nlohmann::json environment = runner.environment();
  const nlohmann::json gpu = {{"name", environment["gpu"].value("name", "")},
                              {"uuid", environment["gpu"].value("uuid", "")}};
  std::printf("%s\n", nlohmann::json{{"environment", environment}}.dump().c_str());
  std::fflush(stdout);
  for (std::string key; std::getline(std::cin, key);) {
    nlohmann::json result;
    if (const auto it = by_key.find(key); it != by_key.end()) {
      result = result_to_json(runner.run(*it->second));
    } else {
      result = {{"case", {{"key", key}}}, {"status", "error"}, {"error", "the worker's plan has no such case"}};
    }
    result["gpu"] = gpu;
    std::printf("%s\n", result.dump().c_str());
    std::fflush(stdout);
  }
  // Into the run's log (a worker's stderr is the parent's): where this worker's time went, to set beside a
  // one-GPU run's closing line.
  std::fprintf(stderr, "worker on %s: time by pass: %s\n", gpu.value("uuid", "?").c_str(),
               describe(runner.pass_seconds()).c_str());
  return 0;
}

}  // namespace scb
