#pragma once
// Weight masks: which weights are zero. Masks are stored in the logical K x (C/g) x R x S order,
// viewed as a K x L matrix with L = (C/g)*R*S, the row of one output channel.
#include <cstdint>
#include <vector>

#include "harness/spec/sweep.hpp"

namespace scb {

struct MaskShape {
  std::int64_t rows = 0;  // K
  std::int64_t cols = 0;  // (C/g) * R * S
  std::int64_t count() const { return rows * cols; }
};

using Mask = std::vector<std::uint8_t>;  // 1 = weight kept, 0 = weight pruned

// Generated kinds only (uniform, channel_imbalanced, block, nm); file masks come from load_npy_mask.
Mask generate_mask(const MaskSpec& spec, const MaskShape& shape, double sparsity, std::uint64_t seed);

double mask_density(const Mask& mask);
// Density of each row (output channel).
std::vector<double> row_densities(const Mask& mask, const MaskShape& shape);
// True when every group of m consecutive weights in a row keeps at most n.
bool is_n_m_sparse(const Mask& mask, const MaskShape& shape, int n, int m);
// True when the mask is constant over every b x b block.
bool is_block_sparse(const Mask& mask, const MaskShape& shape, int block);

}  // namespace scb
