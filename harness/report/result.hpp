#pragma once
// One case's result and its JSON form (results/schema.json).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/measure/counters.hpp"
#include "harness/measure/timing_engine.hpp"
#include "harness/report/roofline.hpp"
#include "harness/spec/case.hpp"
#include "harness/verify/compare.hpp"

namespace scb {

constexpr int kResultSchemaVersion = 1;

// verified: passed verification and was not timed (scbench run --verify-only).
enum class CaseStatus { ok, verified, incorrect, error };
std::string to_string(CaseStatus status);

struct VerifyOutcome {
  bool checked = false;
  bool passed = false;
  std::string reference;  // "cpu_fp64" or "gpu_fp64"
  ErrorMetrics metrics;
  Tolerance tolerance;
};

struct DerivedFigures {
  std::int64_t dense_flops = 0;
  std::int64_t useful_flops = 0;  // dense FLOPs times the achieved weight density
  double weight_density = 1.0;
  double activation_density = 1.0;
  double tflops_useful = 0.0;     // useful FLOPs / median time
  double tflops_effective = 0.0;  // dense FLOPs / median time
  // Input and output once, plus the kept weights, in the storage type (no index overhead).
  std::int64_t minimal_bytes = 0;
  std::optional<Roofline> roofline;         // nothing when the chip's rates are unknown
  std::optional<double> roofline_fraction;  // roofline time / median time
  // minimal bytes / median time / the measured copy bandwidth (nothing when the copy was not measured)
  std::optional<double> copy_bandwidth_fraction;
};

// Why a pass that was asked for gave no value (CUPTI restricted, no energy counter, ...).
struct Unavailable {
  std::string why;
};

// The outcome of one optional pass: its value, or why it has none; neither when the pass was not asked for.
template <class T>
class PassOutcome {
 public:
  PassOutcome& operator=(T value) {
    value_ = std::move(value);
    why_not_.clear();
    return *this;
  }
  PassOutcome& operator=(Unavailable unavailable) {
    value_.reset();
    why_not_ = std::move(unavailable.why);
    return *this;
  }
  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  // Empty unless the pass was asked for and could not run.
  const std::string& why_not() const { return why_not_; }

 private:
  std::optional<T> value_;
  std::string why_not_;
};

struct CaseResult {
  Case c;
  CaseStatus status = CaseStatus::error;
  std::string error;  // for incorrect and error
  VerifyOutcome verify;
  std::optional<TimingResult> timing;
  PassOutcome<KernelScope> kernel_timing;  // the `kernel` scope
  PassOutcome<CounterReading> counters;    // the counters pass
  std::string counters_chip;
  PassOutcome<EnergyResult> energy;  // when the sweep asks for it (measure.energy_s)
  std::optional<double> prepare_us;
  nlohmann::json backend_details = nlohmann::json::object();
  nlohmann::json tuning;  // for a tuned case: the search, its evaluations and the choice (null otherwise)
  DerivedFigures derived;
};

std::int64_t minimal_bytes(const Case& c, double weight_density);
DerivedFigures derive_figures(const Case& c, double weight_density, double activation_density,
                              std::optional<double> median_us, const std::optional<DeviceCeilings>& ceilings = {});
nlohmann::json shape_to_json(const Layer& layer);
nlohmann::json case_to_json(const Case& c);
nlohmann::json result_to_json(const CaseResult& result);

}  // namespace scb
