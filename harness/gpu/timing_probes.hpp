#pragma once
// Kernels that the measurement engine uses and that prove it (they are the harness's tools, not what it
// measures, so they live here and not in kernels/): an empty kernel, a kernel that spins
// a known number of SM clock cycles, and the blocking kernel that holds a stream until the host
// has queued all the work of a sample (so launch gaps do not count as GPU time).
#include <cuda_runtime.h>

namespace scb::probes {

cudaError_t launch_empty_kernel(cudaStream_t stream);
// Reads `bytes` (a multiple of 16) of `buffer` so that L2 holds only clean lines of it afterwards;
// writes to *sink only if the data sums to an impossible value, which keeps the reads alive.
cudaError_t launch_l2_flush(const void* buffer, size_t bytes, unsigned* sink, cudaStream_t stream);
// One thread spins until clock64() has advanced `cycles`; writes the cycles seen to *elapsed if non-null.
cudaError_t launch_spin_kernel(long long cycles, long long* elapsed, cudaStream_t stream);
// Every thread runs `iterations` x 8 dependent FFMAs: exactly blocks x threads x iterations x 8 FFMA
// thread instructions, for the counter proof. Writes one value per thread to `out` (blocks x threads floats).
cudaError_t launch_fma_kernel(int blocks, int threads, int iterations, float* out, cudaStream_t stream);
// Copies `bytes` (a multiple of 16) from src to dst with 16-byte loads and stores: the DRAM-bytes proof.
cudaError_t launch_copy_kernel(const void* src, void* dst, size_t bytes, cudaStream_t stream);
// Spins until *release != 0 or `timeout_ns` pass (then sets *timed_out = 1).
cudaError_t launch_blocking_kernel(const volatile int* release, int* timed_out, unsigned long long timeout_ns,
                                   cudaStream_t stream);

}  // namespace scb::probes
