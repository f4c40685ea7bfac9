#pragma once
// Compiled modules loaded into the current CUDA context (runtime library API, no driver API link), one
// kernel entry each, launched in order on a stream. Knows nothing of the harness.
#include <cuda_runtime.h>

#include <string>
#include <vector>

namespace scb::kernels::codegen {

class LoadedKernels {
 public:
  // One cubin per module and the name of its entry; throws std::runtime_error when loading fails.
  LoadedKernels(const std::vector<std::vector<char>>& cubins, const std::vector<std::string>& entries);
  ~LoadedKernels();
  LoadedKernels(const LoadedKernels&) = delete;
  LoadedKernels& operator=(const LoadedKernels&) = delete;

  std::size_t size() const { return kernels_.size(); }
  // Registers per thread of the entry (from the cubin, as loaded).
  int registers(std::size_t index) const;
  // Launches every entry with (input, output, pixels) over ceil(pixels / threads) blocks of `threads`.
  cudaError_t launch_all(const void* input, void* output, unsigned pixels, int threads, cudaStream_t stream) const;

 private:
  void unload();
  std::vector<cudaLibrary_t> libraries_;
  std::vector<cudaKernel_t> kernels_;
};

}  // namespace scb::kernels::codegen
