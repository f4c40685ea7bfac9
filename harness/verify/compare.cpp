#include "harness/verify/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "harness/data/host_parallel.hpp"
#include "harness/data/problem_data.hpp"

namespace scb {

namespace {

struct ErrorSums {
  double diff_sq = 0.0, ref_sq = 0.0, ref_max = 0.0, max_abs = 0.0;
  std::int64_t nonfinite = 0;

  void add(double reference, double actual) {
    if (!std::isfinite(actual)) {
      ++nonfinite;
      return;
    }
    const double diff = std::abs(actual - reference);
    diff_sq += diff * diff;
    ref_sq += reference * reference;
    ref_max = std::max(ref_max, std::abs(reference));
    max_abs = std::max(max_abs, diff);
  }
  void merge(const ErrorSums& o) {
    diff_sq += o.diff_sq;
    ref_sq += o.ref_sq;
    ref_max = std::max(ref_max, o.ref_max);
    max_abs = std::max(max_abs, o.max_abs);
    nonfinite += o.nonfinite;
  }
};

// Sums per chunk, merged in chunk order: the same result for any number of threads.
template <class ChunkSums>
ErrorMetrics reduce_chunks(std::size_t count, const ChunkSums& chunk_sums) {
  std::vector<ErrorSums> sums(host_chunk_count(count));
  for_each_host_chunk(
      count, [&](std::size_t chunk, std::size_t begin, std::size_t end) { sums[chunk] = chunk_sums(begin, end); });
  ErrorSums total;
  for (const auto& chunk : sums) total.merge(chunk);
  ErrorMetrics m;
  m.count = std::int64_t(count);
  m.nonfinite = total.nonfinite;
  m.max_abs_error = total.max_abs;
  m.rel_l2 = total.ref_sq > 0 ? std::sqrt(total.diff_sq / total.ref_sq) : std::sqrt(total.diff_sq);
  m.max_rel_error = total.ref_max > 0 ? total.max_abs / total.ref_max : total.max_abs;
  return m;
}

}  // namespace

ErrorMetrics compare_outputs(const std::vector<double>& reference, const std::vector<double>& actual) {
  if (reference.size() != actual.size()) throw std::logic_error("compare_outputs: sizes differ");
  return reduce_chunks(reference.size(), [&](std::size_t begin, std::size_t end) {
    ErrorSums sums;
    for (std::size_t i = begin; i < end; ++i) sums.add(reference[i], actual[i]);
    return sums;
  });
}

ErrorMetrics compare_raw_output(const std::vector<double>& reference, const std::vector<std::byte>& raw, int n, int k,
                                int p, int q, Layout layout, StorageType storage) {
  const std::size_t size = bytes_per_element(storage);
  const std::size_t count = std::size_t(n) * k * p * q;
  if (reference.size() != count || raw.size() != count * size)
    throw std::logic_error("compare_raw_output: buffer sizes do not match the output shape");
  const std::size_t K = std::size_t(k), P = std::size_t(p), Q = std::size_t(q);
  return reduce_chunks(count, [&](std::size_t begin, std::size_t end) {
    ErrorSums sums;
    if (layout == Layout::nchw) {
      for (std::size_t i = begin; i < end; ++i) sums.add(reference[i], decode_element(raw.data() + i * size, storage));
      return sums;
    }
    // NHWC, CHWN: walk the logical (n, k, y, x) order and find each element's place in the stored order.
    StoredOrderWalk stored(begin, std::size_t(n), K, P, Q, stored_order(layout));
    for (std::size_t i = begin; i < end; ++i, stored.next())
      sums.add(reference[i], decode_element(raw.data() + stored.offset() * size, storage));
    return sums;
  });
}

Tolerance tolerance_for(Precision precision) {
  // Unit roundoff u: fp32 2^-24, tf32 2^-11 (inputs rounded to 10 mantissa bits), fp16 2^-11 and
  // bf16 2^-8 (output stored in that format; FP32 accumulation). Bounds leave room for sums of
  // thousands of terms but stay far below what a wrong index or a missed weight produces (~1).
  switch (precision) {
    case Precision::fp32:
      return {1e-5, 1e-4};
    case Precision::tf32:
      return {5e-3, 2e-2};
    case Precision::fp16:
      return {2e-3, 1e-2};
    case Precision::bf16:
      return {1e-2, 4e-2};
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
