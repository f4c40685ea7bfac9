#pragma once
// Compiled modules loaded into the current CUDA context (runtime library API, no driver API link), one
// kernel entry each. The entries are independent (each writes its own output channels), so they run side by
// side on several streams forked from the caller's: one entry alone covers N x P x Q threads, too few to fill
// the GPU (H200, VGG-19 conv4_2 at N = 32: 6 warps per SM). Knows nothing of the harness.
#include <cuda_runtime.h>

#include <string>
#include <vector>

namespace scb::kernels::codegen {

class LoadedKernels {
 public:
  // One cubin per module and the name of its entry; `streams` (>= 1) entries run at a time. Throws
  // std::runtime_error when loading fails.
  LoadedKernels(const std::vector<std::vector<char>>& cubins, const std::vector<std::string>& entries, int streams);
  ~LoadedKernels();
  LoadedKernels(const LoadedKernels&) = delete;
  LoadedKernels& operator=(const LoadedKernels&) = delete;

  std::size_t size() const { return kernels_.size(); }
  // Registers per thread of the entry (from the cubin, as loaded).
  int registers(std::size_t index) const;
  // Launches every entry with (input, output, pixels[, live]) over ceil(pixels / threads) blocks of `threads`
  // (live: for entries that skip dead channels, which take it as a fourth param; null for the others): entry i
  // on lane i mod streams, lane 0 being `stream` and the others forked from it and joined back into it
  // (under graph capture, parallel branches of the graph). Work queued on `stream` before comes first.
  cudaError_t launch_all(const void* input, void* output, unsigned pixels, int threads, cudaStream_t stream,
                         const unsigned* live = nullptr) const;

 private:
  void unload();
  std::vector<cudaLibrary_t> libraries_;
  std::vector<cudaKernel_t> kernels_;
  std::vector<cudaStream_t> lanes_;  // the side streams (lanes 1..)
  cudaEvent_t fork_ = nullptr;
  std::vector<cudaEvent_t> joins_;  // one per side stream
};

}  // namespace scb::kernels::codegen
