#pragma once
// Results as the runner produces them, for tests that need documents without a GPU.
#include "harness/report/result.hpp"

namespace scb::testing_support {

// The H100 as the runner reads it (132 SMs at 1980 MHz, HBM3 at 2619 MHz on 5120 bits).
inline DeviceCeilings h100_ceilings() { return {132, 1980.0, 9, 0, 2619.0, 5120}; }

inline Case sample_case(const std::string& backend, double sparsity) {
  Case c;
  c.layer.network = "vgg19";
  c.layer.name = "conv4_2";
  c.layer.C = 512, c.layer.H = 28, c.layer.W = 28, c.layer.K = 512, c.layer.R = 3, c.layer.S = 3;
  c.layer.pad_h = c.layer.pad_w = 1;
  c.batch = 32;
  c.weight_sparsity = sparsity;
  c.backend = backend;
  return c;
}

inline CaseResult ok_result(const std::string& backend, double sparsity, double base_us) {
  CaseResult r;
  r.c = sample_case(backend, sparsity);
  r.status = CaseStatus::ok;
  r.verify = {true, true, "gpu_fp64", {1e-7, 1e-6, 1e-4, 0, 1000}, tolerance_for(Precision::fp32)};
  TimingResult t;
  for (int i = 0; i < 12; ++i) t.samples_us.push_back(base_us + 0.1 * i);
  t.stats = summarize(t.samples_us);
  t.warmup_runs = 3;
  t.stop_reason = "converged";
  t.clock = {true, 1980, 1965, 1980, 0};
  r.timing = t;
  r.prepare_us = 1234.5;
  r.backend_details = {{"algorithm", "implicit_precomp_gemm"}};
  r.derived = derive_figures(r.c, 1.0 - sparsity, 1.0, t.stats.median, h100_ceilings());
  // The kernel scope of two traced executions of a two-kernel op (im2col, then a GEMM).
  using Traced = KernelTrace::Traced;
  const auto kernel = [](const char* name, std::uint64_t start, std::uint64_t end) {
    Traced k;
    k.launch = {demangle(name), {64, 1, 1}, {256, 1, 1}, 40, 0, 2048, double(end - start) / 1000.0};
    k.start_ns = start;
    k.end_ns = end;
    return k;
  };
  r.kernel_timing =
      summarize_trace({{1, {kernel("_ZN3scb7kernels6im2colEv", 0, 20'000), kernel("gemm", 21'000, 90'000)}},
                       {2, {kernel("_ZN3scb7kernels6im2colEv", 0, 19'000), kernel("gemm", 20'000, 88'000)}}});
  r.energy = energy_from_counter(1'000'000, 1'420'000, 12'000, 1.05);
  CounterReading counters;
  counters.metrics = {"dram__bytes_read.sum", "sm__warps_active.avg.pct_of_peak_sustained_active"};
  counters.passes = 1;
  counters.kernels = {{{1.5e6, 62.0}}, {{8.0e6, 31.0}}};
  counters.op_totals = additive_totals(counters.metrics, counters.kernels);
  r.counters = counters;
  r.counters_chip = "GH100";
  return r;
}

// A case whose kernel scope CUPTI could not trace.
inline CaseResult ok_result_without_kernel_scope() {
  CaseResult r = ok_result("im2col_cusparse", 0.9, 50.0);
  r.energy = Unavailable{"NVML is not loaded"};
  r.counters = Unavailable{
      "cuptiRangeProfilerEnable: CUPTI_ERROR_INSUFFICIENT_PRIVILEGES (counters are restricted to administrators)"};
  r.kernel_timing = Unavailable{
      "cuptiActivityEnable: CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED (another profiler, e.g. ncu or nsys, is "
      "attached)"};
  return r;
}

inline CaseResult incorrect_result() {
  CaseResult r;
  r.c = sample_case("im2col_cublas", 0.5);
  r.status = CaseStatus::incorrect;
  r.verify = {true, false, "cpu_fp64", {0.3, 0.9, 2.0, 0, 1000}, tolerance_for(Precision::fp32)};
  r.error = describe_failure(r.verify.metrics, r.verify.tolerance);
  r.prepare_us = 10.0;
  r.derived = derive_figures(r.c, 0.5, 1.0, std::nullopt);
  return r;
}

// scbench run --verify-only: checked against the reference, not timed.
inline CaseResult verified_result() {
  CaseResult r;
  r.c = sample_case("direct_sparse", 0.9);
  r.status = CaseStatus::verified;
  r.verify = {true, true, "gpu_fp64", {1e-7, 2e-6, 1e-5, 0, 1000}, tolerance_for(Precision::fp32)};
  r.prepare_us = 12.0;
  r.derived = derive_figures(r.c, 0.1, 1.0, std::nullopt);
  return r;
}

inline CaseResult error_result() {
  CaseResult r;
  r.c = sample_case("cudnn", 0.7);
  r.c.params = {{"algo", "winograd"}};
  r.status = CaseStatus::error;
  r.error = "cuDNN algorithm 'winograd' cannot run this case: CUDNN_STATUS_NOT_SUPPORTED";
  r.derived = derive_figures(r.c, 0.3, 1.0, std::nullopt);
  return r;
}

}  // namespace scb::testing_support
