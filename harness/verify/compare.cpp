#include "harness/verify/compare.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace scb {

ErrorMetrics compare_outputs(const std::vector<double>& reference, const std::vector<double>& actual) {
  if (reference.size() != actual.size()) throw std::logic_error("compare_outputs: sizes differ");
  ErrorMetrics m;
  m.count = std::int64_t(reference.size());
  double diff_sq = 0.0, ref_sq = 0.0, ref_max = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    if (!std::isfinite(actual[i])) {
      ++m.nonfinite;
      continue;
    }
    const double diff = std::abs(actual[i] - reference[i]);
    diff_sq += diff * diff;
    ref_sq += reference[i] * reference[i];
    ref_max = std::max(ref_max, std::abs(reference[i]));
    m.max_abs_error = std::max(m.max_abs_error, diff);
  }
  m.rel_l2 = ref_sq > 0 ? std::sqrt(diff_sq / ref_sq) : std::sqrt(diff_sq);
  m.max_rel_error = ref_max > 0 ? m.max_abs_error / ref_max : m.max_abs_error;
  return m;
}

Tolerance tolerance_for(Precision precision) {
  // Unit roundoff u: fp32 2^-24, tf32 2^-11 (inputs rounded to 10 mantissa bits), fp16 2^-11 and
  // bf16 2^-8 (output stored in that format; FP32 accumulation). Bounds leave room for sums of
  // thousands of terms but stay far below what a wrong index or a missed weight produces (~1).
  switch (precision) {
    case Precision::fp32: return {1e-5, 1e-4};
    case Precision::tf32: return {5e-3, 2e-2};
    case Precision::fp16: return {2e-3, 1e-2};
    case Precision::bf16: return {1e-2, 4e-2};
  }
  return {};
}

bool within_tolerance(const ErrorMetrics& m, const Tolerance& t) {
  return m.nonfinite == 0 && m.rel_l2 <= t.rel_l2 && m.max_rel_error <= t.max_rel_error;
}

std::string describe_failure(const ErrorMetrics& m, const Tolerance& t) {
  char text[256];
  if (m.nonfinite > 0) {
    std::snprintf(text, sizeof text, "%lld of %lld outputs are NaN/Inf (unwritten or overflowed)",
                  static_cast<long long>(m.nonfinite), static_cast<long long>(m.count));
  } else {
    std::snprintf(text, sizeof text, "rel_l2 %.3g (limit %.3g), max_rel_error %.3g (limit %.3g)", m.rel_l2, t.rel_l2,
                  m.max_rel_error, t.max_rel_error);
  }
  return text;
}

}  // namespace scb
