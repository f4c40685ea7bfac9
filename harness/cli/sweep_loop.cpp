#include "harness/cli/sweep_loop.hpp"

#include <cstdio>

#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/report/console.hpp"
#include "harness/report/document_header.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "harness/run/case_runner.hpp"

namespace scb {

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
  std::printf("time by pass: %s\n", describe(runner.pass_seconds()).c_str());
  return incorrect + failed == 0 ? 0 : 1;
}

}  // namespace scb
