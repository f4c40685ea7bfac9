#pragma once
// Hardware counters per kernel of one op execution: CUPTI Range Profiler (AutoRange: one range per
// kernel launch, UserReplay: the op is run once per pass, so it must be idempotent) configured by the Host API.
// A pass of its own, after timing, with the op enqueued call by call: counters are not read through
// CUDA graphs, and profiled kernels run serialized, so their times are not used.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct CUpti_RangeProfiler_Object;

namespace scb {

// The default set, one pass on GH100: DRAM bytes read and written, L2 bytes, FMA-pipe and tensor-pipe
// warp instructions, achieved occupancy, SM clock and the profiled duration.
const std::vector<std::string>& lean_metrics();

// Parses --counters / measure.counters: "off" (empty), "lean", or a comma-separated list of metric names.
std::vector<std::string> parse_counter_choice(const std::string& text);

// Offline check of metric names for a chip (Host API, no GPU): the number of passes, or why not
// (naming every unknown metric).
struct MetricCheck {
  std::optional<std::string> error;
  int passes = 0;
};
MetricCheck check_metrics(const std::string& chip, const std::vector<std::string>& metrics);

struct KernelCounters {
  std::vector<double> values;  // in the order of the reading's metrics
};

struct CounterReading {
  std::vector<std::string> metrics;
  int passes = 0;
  std::vector<KernelCounters> kernels;  // one per kernel launch of the op, in launch order
  // Additive metrics (".sum") added over the op's kernels; averages and percentages stay per kernel.
  std::vector<std::pair<std::string, double>> op_totals;
};

// Sums the ".sum" metrics over kernels (exposed for tests).
std::vector<std::pair<std::string, double>> additive_totals(const std::vector<std::string>& metrics,
                                                            const std::vector<KernelCounters>& kernels);

class CounterSession {
 public:
  // Prepares the metric set for the current CUDA device. Nothing, and why, when counters cannot be read:
  // no GPU, an unsupported GPU, insufficient privileges, or another profiler (ncu, nsys) attached.
  static std::unique_ptr<CounterSession> open(int device, const std::vector<std::string>& metrics,
                                              std::string& why_not);
  ~CounterSession();
  CounterSession(const CounterSession&) = delete;
  CounterSession& operator=(const CounterSession&) = delete;

  const std::string& chip() const { return chip_; }
  // Runs `enqueue_and_sync` (the op, then a stream synchronize) under the profiler, once per pass of the
  // metric set. Nothing, and why, on failure.
  std::optional<CounterReading> read(const std::function<void()>& enqueue_and_sync, std::string& why_not);

 private:
  CounterSession() = default;
  struct Host;
  std::unique_ptr<Host> host_;
  std::string chip_;
  std::vector<std::string> metrics_;
  std::vector<const char*> names_;
  std::vector<std::uint8_t> config_;
  int passes_ = 0;
  CUpti_RangeProfiler_Object* profiler_ = nullptr;  // enabled on the context for the session's life
  std::size_t counter_data_size_ = 0;
};

}  // namespace scb
