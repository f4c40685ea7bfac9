#pragma once
// How a case is measured: the timing scope, launch mode, L2 state, stopping rule and the extra passes.
// The measure layer's own vocabulary; a sweep file fills it in (spec/ includes this header, measure/
// includes nothing from spec/).
#include <optional>
#include <string>

namespace scb {

// gpu: CUDA events around the op with launch gaps hidden; host: wall clock of the call and a synchronize.
// end_to_end: the host wall clock of allocating the op's buffers, copying input and weights in, the op,
// copying the output out and freeing; a reproduction aid for papers that timed so (Xu et al.), never a
// way to time a kernel.
enum class TimingScope { gpu, host, end_to_end };
std::string to_string(TimingScope value);
std::optional<TimingScope> parse_timing_scope(const std::string& text);

// gpu scope: replay the op as a CUDA graph (default; falls back to stream if it cannot be captured).
enum class LaunchMode { graph, stream };

struct MeasureSettings {
  TimingScope scope = TimingScope::gpu;
  LaunchMode launch = LaunchMode::graph;
  bool cold_l2 = true;
  int warmup_runs = 3;
  int min_samples = 10;
  int max_samples = 1000;
  double max_noise = 0.005;       // relative half-width of the median's 95% confidence interval
  double max_time_s = 1.0;        // sampling budget per case
  bool kernel_scope = true;       // also trace the op's kernels with CUPTI (the `kernel` scope), in a pass of its own
  int kernel_runs = 20;           // executions traced in that pass
  double energy_s = 0.0;          // > 0: a continuous pass this long measures energy per op (NVML)
  std::string counters = "lean";  // hardware counters pass: off, lean, or comma-separated metric names
};

}  // namespace scb
