#include "harness/report/gbench_export.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace scb {

namespace {

using Run = benchmark::BenchmarkReporter::Run;

Run timed_run(const std::string& name, std::int64_t family, double seconds) {
  Run run;
  run.run_name.function_name = name;
  run.family_index = family;
  run.per_family_instance_index = 0;
  run.iterations = 1;
  run.threads = 1;
  run.time_unit = benchmark::kMicrosecond;
  // GPU time: the events time the device, so it stands for both of Google Benchmark's clocks.
  run.real_accumulated_time = run.cpu_accumulated_time = seconds;
  return run;
}

}  // namespace

void export_google_benchmark_json(const nlohmann::json& document, std::ostream& out) {
  benchmark::BenchmarkReporter::Context::executable_name = "scbench";
  benchmark::JSONReporter reporter;
  std::ostringstream ignored_errors;
  reporter.SetOutputStream(&out);
  reporter.SetErrorStream(&ignored_errors);
  benchmark::BenchmarkReporter::Context context;
  reporter.ReportContext(context);
  std::int64_t family = 0;
  for (const auto& result : document.at("results")) {
    if (result.at("status") != "ok") continue;
    const std::string name = result.at("case").at("key").get<std::string>();
    const auto& timing = result.at("timing");
    const auto samples = timing.at("samples_us").get<std::vector<double>>();
    std::vector<Run> runs;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      Run run = timed_run(name, family, samples[i] * 1e-6);
      run.repetition_index = std::int64_t(i);
      run.repetitions = std::int64_t(samples.size());
      run.report_label = timing.at("scope").get<std::string>() + " scope";
      runs.push_back(run);
    }
    Run median = timed_run(name, family, timing.at("median_us").get<double>() * 1e-6);
    median.run_type = Run::RT_Aggregate;
    median.aggregate_name = "median";
    median.aggregate_unit = benchmark::kTime;
    median.repetitions = std::int64_t(samples.size());
    runs.push_back(median);
    reporter.ReportRuns(runs);
    ++family;
  }
  reporter.Finalize();
}

}  // namespace scb
