#include "harness/sparsity/mask.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "harness/sparsity/rng.hpp"

namespace scb {

namespace {

// Marks exactly `keep` of the positions [0, n) with 1, chosen uniformly (partial Fisher-Yates).
std::vector<std::uint8_t> choose_exact(std::int64_t n, std::int64_t keep, Rng& rng) {
  std::vector<std::int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::uint8_t> chosen(n, 0);
  for (std::int64_t i = 0; i < keep; ++i) {
    const std::int64_t j = i + std::int64_t(rng.below(std::uint64_t(n - i)));
    std::swap(order[i], order[j]);
    chosen[order[i]] = 1;
  }
  return chosen;
}

Mask uniform_mask(const MaskShape& shape, double density, Rng& rng) {
  return choose_exact(shape.count(), std::llround(density * double(shape.count())), rng);
}

// Per-row densities drawn from a log-normal around the target, as pruning leaves them, then
// rescaled so the whole mask keeps the target count of weights.
Mask channel_imbalanced_mask(const MaskShape& shape, double density, Rng& rng) {
  constexpr double kSigma = 0.6;
  std::vector<double> weight(shape.rows);
  for (auto& w : weight) w = std::exp(kSigma * rng.normal() - 0.5 * kSigma * kSigma);
  const std::int64_t target = std::llround(density * double(shape.count()));
  const double total_weight = std::accumulate(weight.begin(), weight.end(), 0.0);
  std::vector<std::int64_t> keep(shape.rows);
  std::int64_t assigned = 0;
  for (std::int64_t r = 0; r < shape.rows; ++r) {
    keep[r] = std::clamp<std::int64_t>(std::llround(double(target) * weight[r] / total_weight), 0, shape.cols);
    assigned += keep[r];
  }
  // Hand out or take back the rounding and clamping remainder one weight at a time.
  for (std::int64_t r = 0; assigned != target; r = (r + 1) % shape.rows) {
    if (assigned < target && keep[r] < shape.cols)
      ++keep[r], ++assigned;
    else if (assigned > target && keep[r] > 0)
      --keep[r], --assigned;
  }
  Mask mask(shape.count());
  for (std::int64_t r = 0; r < shape.rows; ++r) {
    const auto row = choose_exact(shape.cols, keep[r], rng);
    std::copy(row.begin(), row.end(), mask.begin() + r * shape.cols);
  }
  return mask;
}

Mask block_mask(const MaskShape& shape, double density, int block, Rng& rng) {
  const std::int64_t block_rows = (shape.rows + block - 1) / block;
  const std::int64_t block_cols = (shape.cols + block - 1) / block;
  const auto blocks =
      choose_exact(block_rows * block_cols, std::llround(density * double(block_rows * block_cols)), rng);
  Mask mask(shape.count());
  for (std::int64_t r = 0; r < shape.rows; ++r)
    for (std::int64_t c = 0; c < shape.cols; ++c)
      mask[r * shape.cols + c] = blocks[(r / block) * block_cols + c / block];
  return mask;
}

Mask nm_mask(const MaskShape& shape, int n, int m, Rng& rng) {
  Mask mask(shape.count(), 0);
  for (std::int64_t r = 0; r < shape.rows; ++r)
    for (std::int64_t start = 0; start < shape.cols; start += m) {
      const std::int64_t width = std::min<std::int64_t>(m, shape.cols - start);
      const auto chosen = choose_exact(width, std::min<std::int64_t>(n, width), rng);
      std::copy(chosen.begin(), chosen.end(), mask.begin() + r * shape.cols + start);
    }
  return mask;
}

}  // namespace

Mask generate_mask(const MaskSpec& spec, const MaskShape& shape, double sparsity, std::uint64_t seed) {
  Rng rng(seed);
  const double density = 1.0 - sparsity;
  switch (spec.kind) {
    case MaskKind::uniform:
      return uniform_mask(shape, density, rng);
    case MaskKind::channel_imbalanced:
      return channel_imbalanced_mask(shape, density, rng);
    case MaskKind::block:
      return block_mask(shape, density, spec.block_size, rng);
    case MaskKind::nm:
      return nm_mask(shape, spec.n, spec.m, rng);
    case MaskKind::file:
    case MaskKind::weights:
      break;
  }
  throw std::logic_error("generate_mask: file masks are loaded, not generated");
}

double mask_density(const Mask& mask) {
  if (mask.empty()) return 0.0;
  return double(std::count(mask.begin(), mask.end(), std::uint8_t{1})) / double(mask.size());
}

std::vector<double> row_densities(const Mask& mask, const MaskShape& shape) {
  std::vector<double> densities(shape.rows);
  for (std::int64_t r = 0; r < shape.rows; ++r)
    densities[r] =
        double(std::count(mask.begin() + r * shape.cols, mask.begin() + (r + 1) * shape.cols, std::uint8_t{1})) /
        double(shape.cols);
  return densities;
}

bool is_n_m_sparse(const Mask& mask, const MaskShape& shape, int n, int m) {
  for (std::int64_t r = 0; r < shape.rows; ++r)
    for (std::int64_t start = 0; start < shape.cols; start += m) {
      const auto begin = mask.begin() + r * shape.cols + start;
      const auto end = begin + std::min<std::int64_t>(m, shape.cols - start);
      if (std::count(begin, end, std::uint8_t{1}) > n) return false;
    }
  return true;
}

bool is_block_sparse(const Mask& mask, const MaskShape& shape, int block) {
  for (std::int64_t r = 0; r < shape.rows; ++r)
    for (std::int64_t c = 0; c < shape.cols; ++c)
      if (mask[r * shape.cols + c] != mask[(r / block * block) * shape.cols + c / block * block]) return false;
  return true;
}

}  // namespace scb
