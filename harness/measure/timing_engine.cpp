#include "harness/measure/timing_engine.hpp"

#include <chrono>

#include "harness/gpu/captured_sample.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/timing_probes.hpp"

namespace scb {

namespace {
constexpr unsigned long long kBlockingTimeoutNs = 2'000'000'000ull;
using Clock = std::chrono::steady_clock;
}  // namespace

TimingEngine::TimingEngine(cudaStream_t stream, const L2Flush& flush, const Nvml* nvml)
    : stream_(stream), l2_flush_(flush), nvml_(nvml) {}

double TimingEngine::sample_gpu_us(const TimedSample& enqueue, bool cold, bool& timed_out) {
  release_.set(0);
  timed_out_.set(0);
  SCB_CUDA(probes::launch_blocking_kernel(release_.device_pointer(), timed_out_.device_pointer(), kBlockingTimeoutNs,
                                          stream_));
  if (cold) l2_flush_.enqueue(stream_);
  enqueue();
  release_.set(1);
  SCB_CUDA(cudaEventSynchronize(stop_.get()));
  float ms = 0;
  SCB_CUDA(cudaEventElapsedTime(&ms, start_.get(), stop_.get()));
  timed_out = timed_out_.value() != 0;
  return double(ms) * 1000.0;
}

double TimingEngine::sample_host_us(const Op& op, bool cold) {
  if (cold) {
    l2_flush_.enqueue(stream_);
    SCB_CUDA(cudaStreamSynchronize(stream_));
  }
  const auto begin = Clock::now();
  op(stream_);
  SCB_CUDA(cudaStreamSynchronize(stream_));
  return std::chrono::duration<double, std::micro>(Clock::now() - begin).count();
}

EnergyResult energy_from_counter(unsigned long long start_mj, unsigned long long end_mj, long long ops,
                                 double seconds) {
  EnergyResult e;
  e.ops = ops;
  e.seconds = seconds;
  const double spent_mj = end_mj >= start_mj ? double(end_mj - start_mj) : 0.0;
  e.mj_per_op = ops > 0 ? spent_mj / double(ops) : 0.0;
  e.average_watts = seconds > 0 ? spent_mj / 1000.0 / seconds : 0.0;
  return e;
}

std::optional<EnergyResult> TimingEngine::measure_energy(const Op& op, double seconds, std::string& why_not) {
  if (!nvml_) {
    why_not = "NVML is not loaded";
    return std::nullopt;
  }
  const auto start_mj = nvml_->total_energy_mj();
  if (!start_mj) {
    why_not = "this GPU has no energy counter (nvmlDeviceGetTotalEnergyConsumption)";
    return std::nullopt;
  }
  SCB_CUDA(cudaStreamSynchronize(stream_));
  const auto begin = Clock::now();
  long long ops = 0;
  // Batches keep the queue full without letting it grow without bound.
  for (int batch = 1;; batch = std::min(batch * 2, 1024)) {
    for (int i = 0; i < batch; ++i) op(stream_);
    ops += batch;
    SCB_CUDA(cudaStreamSynchronize(stream_));
    if (std::chrono::duration<double>(Clock::now() - begin).count() >= seconds) break;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  const auto end_mj = nvml_->total_energy_mj();
  if (!end_mj) {
    why_not = "the energy counter could not be read after the pass";
    return std::nullopt;
  }
  return energy_from_counter(*start_mj, *end_mj, ops, elapsed);
}

KernelScope TimingEngine::trace_kernels(const Op& op, const MeasureSettings& settings, KernelTrace& trace, int runs) {
  op(stream_);  // warm-up: launched outside any execution id, so never counted
  SCB_CUDA(cudaStreamSynchronize(stream_));
  for (int i = 1; i <= runs; ++i) {
    if (settings.cold_l2) l2_flush_.enqueue(stream_);  // the flush is outside begin/end: not part of the op
    trace.begin(std::uint64_t(i));
    op(stream_);
    trace.end();
  }
  SCB_CUDA(cudaStreamSynchronize(stream_));
  return summarize_trace(trace.collect());
}

TimingResult TimingEngine::measure(const Op& op, const MeasureSettings& settings) {
  TimingResult result;
  result.scope = settings.scope;
  result.cold_l2 = settings.cold_l2;
  result.warmup_runs = settings.warmup_runs;
  for (int i = 0; i < settings.warmup_runs; ++i) op(stream_);
  SCB_CUDA(cudaStreamSynchronize(stream_));

  if (nvml_) {
    if (const auto mhz = nvml_->sm_clock_mhz()) {
      result.clock.available = true;
      result.clock.start_mhz = result.clock.min_mhz = result.clock.max_mhz = *mhz;
    }
  }
  std::unique_ptr<CapturedSample> graph;
  TimedSample enqueue = [&] {
    SCB_CUDA(cudaEventRecord(start_.get(), stream_));
    op(stream_);
    SCB_CUDA(cudaEventRecord(stop_.get(), stream_));
  };
  if (settings.scope == TimingScope::gpu) {
    result.launch = "stream";
    if (settings.launch == LaunchMode::graph) {
      graph = std::make_unique<CapturedSample>(stream_, op, start_.get(), stop_.get(), result.graph_fallback);
      if (graph->ok()) {
        result.launch = "graph";
        enqueue = [&] { graph->launch(stream_); };
        graph->launch(stream_);  // the first replay uploads the graph: keep it out of the samples
        SCB_CUDA(cudaStreamSynchronize(stream_));
      }
    }
  }
  const StoppingRule rule{settings.min_samples, settings.max_samples, settings.max_noise, settings.max_time_s};
  const auto begin = Clock::now();
  while (true) {
    bool timed_out = false;
    const double us = settings.scope == TimingScope::gpu ? sample_gpu_us(enqueue, settings.cold_l2, timed_out)
                                                         : sample_host_us(op, settings.cold_l2);
    result.samples_us.push_back(us);
    result.blocking_timeouts += timed_out ? 1 : 0;
    if (result.clock.available) {
      if (const auto mhz = nvml_->sm_clock_mhz()) {
        result.clock.min_mhz = std::min(result.clock.min_mhz, *mhz);
        result.clock.max_mhz = std::max(result.clock.max_mhz, *mhz);
        if (*mhz < 0.9 * result.clock.start_mhz) ++result.clock.throttled_samples;
      }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    result.stop_reason = rule.stop_reason(result.samples_us, elapsed);
    if (!result.stop_reason.empty()) break;
  }
  result.stats = summarize(result.samples_us);
  return result;
}

}  // namespace scb
