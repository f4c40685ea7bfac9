#pragma once
// Which channels of each image hold a nonzero: bit c % 32 of word (n * words + c / 32), words = ceil(C / 32),
// set when plane (n, c) of an NCHW input has a nonzero value (-0 counts as zero). After ReLU, deep layers
// have whole dead channels; a kernel that reads these bits skips them. Knows nothing of the harness.
#include <cuda_runtime.h>

namespace scb::kernels {

inline int liveness_words(int channels) { return (channels + 31) / 32; }

// bits holds images x liveness_words(channels) words; it is cleared first. element_bytes 4 (fp32) or 2
// (fp16, bf16: the bits are tested, whatever the type).
cudaError_t find_live_channels(const void* input, unsigned* bits, int images, int channels, long long plane,
                               int element_bytes, cudaStream_t stream);

}  // namespace scb::kernels
