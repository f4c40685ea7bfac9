#pragma once
// Times one prepared op on the GPU following the measurement rules of docs/architecture.md: warm-up, optional L2
// flush before every sample, launch gaps hidden behind a blocking kernel, sampling until the
// median's noise is under the threshold or the budget runs out, SM clock read after every sample.
#include <cuda_runtime.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/gpu/device.hpp"
#include "harness/gpu/l2_flush.hpp"
#include "harness/measure/kernel_trace.hpp"
#include "harness/measure/nvml.hpp"
#include "harness/measure/statistics.hpp"
#include "harness/measure/settings.hpp"

namespace scb {

struct ClockReadings {
  bool available = false;
  unsigned start_mhz = 0;
  unsigned min_mhz = 0;
  unsigned max_mhz = 0;
  int throttled_samples = 0;  // samples whose clock was below 90% of the clock at the start
};

struct TimingResult {
  TimingScope scope = TimingScope::gpu;
  // gpu scope: "graph" (start event, op and stop event replayed as one CUDA graph) or "stream"
  // (the op enqueued call by call) when the op cannot be captured; then graph_fallback says why.
  std::string launch;
  std::string graph_fallback;
  bool cold_l2 = true;
  int warmup_runs = 0;
  std::vector<double> samples_us;
  SampleStats stats;  // in microseconds
  std::string stop_reason;
  int blocking_timeouts = 0;  // gpu scope: samples where the host was too slow to queue the op
  ClockReadings clock;
};

// Energy of one op from a continuous pass: the GPU's energy counter before and after `ops` back-to-back
// executions that took `seconds`.
struct EnergyResult {
  double mj_per_op = 0;
  double average_watts = 0;
  long long ops = 0;
  double seconds = 0;
};
EnergyResult energy_from_counter(unsigned long long start_mj, unsigned long long end_mj, long long ops, double seconds);

using Op = std::function<void(cudaStream_t)>;

class TimingEngine {
 public:
  // `flush` evicts L2 before each cold sample; it must outlive the engine.
  TimingEngine(cudaStream_t stream, const L2Flush& flush, const Nvml* nvml);
  TimingResult measure(const Op& op, const MeasureSettings& settings);
  // The `kernel`-scope pass, separate from measure(): `runs` executions of `op` enqueued call by call
  // (CUDA graphs would hide the op's kernels behind one launch), L2 flushed before each when cold,
  // every kernel of each execution traced by CUPTI.
  KernelScope trace_kernels(const Op& op, const MeasureSettings& settings, KernelTrace& trace, int runs);
  // Energy per op: `op` enqueued back to back (no flush, no events) for at least `seconds`, read off the
  // GPU's energy counter. Nothing, and `why_not`, when NVML or the counter is missing. Ops shorter than
  // their host launch leave the GPU idle between them, and that idle energy is counted.
  std::optional<EnergyResult> measure_energy(const Op& op, double seconds, std::string& why_not);

 private:
  // Enqueues one timed sample (events around the op) on the stream.
  using TimedSample = std::function<void()>;
  double sample_gpu_us(const TimedSample& enqueue, bool cold, bool& timed_out);
  double sample_host_us(const Op& op, bool cold);

  cudaStream_t stream_;
  const L2Flush& l2_flush_;
  CudaEvent start_, stop_;
  MappedHostFlag release_, timed_out_;
  const Nvml* nvml_;
};

}  // namespace scb
