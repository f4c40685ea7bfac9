#pragma once
// How the direct_sparse backend turns a case and its params into the kernel's tiling: "auto" params are
// resolved from the layer, the batch and the SM count. Separate from the backend so that the rules can be
// tested without a GPU.
#include "harness/backends/backend.hpp"
#include "kernels/direct_sparse.hpp"

namespace scb {

// sm_count 0 = unknown (validation before any GPU is touched): no SM-count-driven choice is made.
kernels::DirectSparseTiling direct_sparse_tiling(const Backend& backend, const Case& c, int sm_count);

}  // namespace scb
