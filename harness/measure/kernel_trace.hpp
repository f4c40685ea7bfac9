#pragma once
// The `kernel` timing scope: CUPTI Activity records of every kernel an op launches, including those
// inside cuDNN, cuBLAS and cuSPARSE, grouped per op execution by external correlation ids. Runs in its
// own pass, after `gpu`-scope timing, with the op enqueued call by call (no CUDA graph).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/measure/statistics.hpp"

namespace scb {

struct KernelLaunch {
  std::string name;  // demangled
  std::array<int, 3> grid{}, block{};
  int registers_per_thread = 0;
  int static_shared_bytes = 0, dynamic_shared_bytes = 0;
  double duration_us = 0;
};

struct KernelScope {
  // Per op execution: the time covered by its kernels (the union of their [start, end) intervals).
  std::vector<double> samples_us;
  SampleStats stats;
  std::vector<KernelLaunch> kernels;  // of the last execution, in start order
};

// Collects kernel activity while it lives. One at a time per process (CUPTI's activity buffers are global).
class KernelTrace {
 public:
  // Enables CUPTI kernel and external-correlation activity. Returns nullptr and says why when CUPTI cannot
  // (no GPU or driver, another profiler such as ncu attached, CUPTI missing or too old).
  static std::unique_ptr<KernelTrace> open(std::string& why_not);
  ~KernelTrace();
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;

  // Kernels launched between begin(id) and end() belong to execution `id` (> 0).
  void begin(std::uint64_t id);
  void end();
  // Flushes CUPTI's buffers (call after the stream is synchronized) and returns the kernels of each
  // execution id, in start order, with their [start, end) times in ns.
  struct Traced {
    KernelLaunch launch;
    std::uint64_t start_ns = 0, end_ns = 0;
  };
  std::vector<std::pair<std::uint64_t, std::vector<Traced>>> collect();

 private:
  KernelTrace() = default;
};

// Length of the union of [start, end) intervals, in ns (overlapping kernels count once).
std::uint64_t union_length_ns(std::vector<std::pair<std::uint64_t, std::uint64_t>> intervals);
// A C++ symbol demangled, or the name unchanged when it is not a mangled name.
std::string demangle(const char* name);
// Per-execution samples, statistics and the last execution's kernel list.
KernelScope summarize_trace(const std::vector<std::pair<std::uint64_t, std::vector<KernelTrace::Traced>>>& traced);

}  // namespace scb
