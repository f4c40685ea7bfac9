#pragma once
// Error metrics between a backend's output and the FP64 reference, and tolerances per precision.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/spec/types.hpp"

namespace scb {

struct ErrorMetrics {
  double rel_l2 = 0.0;         // ||out - ref||_2 / ||ref||_2
  double max_rel_error = 0.0;  // max |out - ref| / max |ref|
  double max_abs_error = 0.0;
  std::int64_t nonfinite = 0;  // NaN or Inf outputs: unwritten (poisoned) or overflowed
  std::int64_t count = 0;
};

struct Tolerance {
  double rel_l2 = 0.0;
  double max_rel_error = 0.0;
};

ErrorMetrics compare_outputs(const std::vector<double>& reference, const std::vector<double>& actual);
// The same, straight from the GPU's output bytes (N x K x P x Q in `layout`, `storage` values) against
// the logical NCHW reference, without a decoded copy.
ErrorMetrics compare_raw_output(const std::vector<double>& reference, const std::vector<std::byte>& raw, int n, int k,
                                int p, int q, Layout layout, StorageType storage);
// Documented in README.md ("Verification"); derived from each format's unit roundoff.
Tolerance tolerance_for(Precision precision);
bool within_tolerance(const ErrorMetrics& metrics, const Tolerance& tolerance);
std::string describe_failure(const ErrorMetrics& metrics, const Tolerance& tolerance);

}  // namespace scb
