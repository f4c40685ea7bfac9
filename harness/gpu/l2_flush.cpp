#include "harness/gpu/l2_flush.hpp"

#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/timing_probes.hpp"

namespace scb {

L2Flush::L2Flush(std::size_t l2_bytes) : buffer_(2 * l2_bytes), sink_(sizeof(unsigned)) {
  // Nonzero content, written once; flushes only read it.
  SCB_CUDA(cudaMemset(buffer_.get(), 0x5A, buffer_.bytes()));
}

void L2Flush::enqueue(cudaStream_t stream) const {
  // Reading, unlike a memset, leaves no dirty lines whose write-back would overlap the timed op.
  SCB_CUDA(probes::launch_l2_flush(buffer_.get(), buffer_.bytes(), sink_.as<unsigned>(), stream));
}

}  // namespace scb
