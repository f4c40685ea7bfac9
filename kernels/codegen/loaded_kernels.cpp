#include "kernels/codegen/loaded_kernels.hpp"

#include <stdexcept>

namespace scb::kernels::codegen {

LoadedKernels::LoadedKernels(const std::vector<std::vector<char>>& cubins, const std::vector<std::string>& entries) {
  if (cubins.size() != entries.size()) throw std::invalid_argument("codegen: one entry name per cubin");
  for (std::size_t i = 0; i < cubins.size(); ++i) {
    cudaLibrary_t library = nullptr;
    cudaError_t status = cudaLibraryLoadData(&library, cubins[i].data(), nullptr, nullptr, 0, nullptr, nullptr, 0);
    if (status != cudaSuccess) {
      unload();
      throw std::runtime_error("codegen: loading module " + entries[i] + " failed: " + cudaGetErrorString(status));
    }
    libraries_.push_back(library);
    cudaKernel_t kernel = nullptr;
    status = cudaLibraryGetKernel(&kernel, library, entries[i].c_str());
    if (status != cudaSuccess) {
      unload();
      throw std::runtime_error("codegen: no entry " + entries[i] + " in its module: " + cudaGetErrorString(status));
    }
    kernels_.push_back(kernel);
  }
}

LoadedKernels::~LoadedKernels() { unload(); }

void LoadedKernels::unload() {
  for (const auto library : libraries_) cudaLibraryUnload(library);
  libraries_.clear();
  kernels_.clear();
}

int LoadedKernels::registers(std::size_t index) const {
  cudaFuncAttributes attributes{};
  if (cudaFuncGetAttributes(&attributes, reinterpret_cast<const void*>(kernels_.at(index))) != cudaSuccess) return -1;
  return attributes.numRegs;
}

cudaError_t LoadedKernels::launch_all(const void* input, void* output, unsigned pixels, int threads,
                                      cudaStream_t stream) const {
  const dim3 grid{(pixels + unsigned(threads) - 1) / unsigned(threads)}, block{unsigned(threads)};
  void* args[] = {&input, &output, &pixels};
  for (const auto kernel : kernels_)
    if (const cudaError_t status =
            cudaLaunchKernel(reinterpret_cast<const void*>(kernel), grid, block, args, 0, stream);
        status != cudaSuccess)
      return status;
  return cudaSuccess;
}

}  // namespace scb::kernels::codegen
