#pragma once
// Evicts the L2 cache before a cold sample: a kernel reads a buffer twice the L2 size. Shared by the
// timing engine and by backends that time their own candidates, so both rank under the same L2 state.
#include <cuda_runtime.h>

#include <cstddef>

#include "harness/gpu/device.hpp"

namespace scb {

class L2Flush {
 public:
  explicit L2Flush(std::size_t l2_bytes);
  // Enqueues the flush on `stream`.
  void enqueue(cudaStream_t stream) const;

 private:
  DeviceBuffer buffer_;  // twice the L2 size
  DeviceBuffer sink_;
};

}  // namespace scb
