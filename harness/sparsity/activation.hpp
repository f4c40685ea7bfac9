#pragma once
// Activation sparsity: zeros written into an input tensor, the way ReLU leaves them.
#include <cstdint>
#include <vector>

#include "harness/spec/types.hpp"

namespace scb {

// `input` is N x C x H x W (logical order). Each element becomes zero with probability
// `sparsity` (uniform), or zeros form spatial clusters covering that fraction of every plane (clustered),
// or whole channels of each image are zero (channel; the remainder of the fraction falls uniformly).
void apply_activation_sparsity(std::vector<float>& input, int batch, int channels, int height, int width,
                               double sparsity, ActivationPattern pattern, std::uint64_t seed);

}  // namespace scb
