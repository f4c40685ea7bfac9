#include "kernels/codegen/loaded_kernels.hpp"

#include <algorithm>
#include <stdexcept>

namespace scb::kernels::codegen {

LoadedKernels::LoadedKernels(const std::vector<std::vector<char>>& cubins, const std::vector<std::string>& entries,
                             int streams) {
  if (cubins.size() != entries.size()) throw std::invalid_argument("codegen: one entry name per cubin");
  if (streams < 1) throw std::invalid_argument("codegen: streams must be at least 1");
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
  // No more lanes than entries; side streams do not wait for the legacy default stream.
  const std::size_t sides = std::min<std::size_t>(std::size_t(streams), std::max<std::size_t>(kernels_.size(), 1)) - 1;
  if (sides > 0 && cudaEventCreateWithFlags(&fork_, cudaEventDisableTiming) != cudaSuccess) {
    unload();
    throw std::runtime_error("codegen: cudaEventCreate failed");
  }
  for (std::size_t i = 0; i < sides; ++i) {
    cudaStream_t lane = nullptr;
    cudaEvent_t join = nullptr;
    if (cudaStreamCreateWithFlags(&lane, cudaStreamNonBlocking) != cudaSuccess ||
        cudaEventCreateWithFlags(&join, cudaEventDisableTiming) != cudaSuccess) {
      if (lane) cudaStreamDestroy(lane);
      unload();
      throw std::runtime_error("codegen: could not create stream " + std::to_string(i + 1) + " of " +
                               std::to_string(streams));
    }
    lanes_.push_back(lane);
    joins_.push_back(join);
  }
}

LoadedKernels::~LoadedKernels() { unload(); }

void LoadedKernels::unload() {
  for (const auto join : joins_) cudaEventDestroy(join);
  for (const auto lane : lanes_) cudaStreamDestroy(lane);
  if (fork_) cudaEventDestroy(fork_);
  joins_.clear();
  lanes_.clear();
  fork_ = nullptr;
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
                                      cudaStream_t stream, const unsigned* live) const {
  const dim3 grid{(pixels + unsigned(threads) - 1) / unsigned(threads)}, block{unsigned(threads)};
  void* args[] = {&input, &output, &pixels, &live};  // the fourth only read by entries that take it
  if (!lanes_.empty()) {
    if (const cudaError_t status = cudaEventRecord(fork_, stream); status != cudaSuccess) return status;
    for (const auto lane : lanes_)
      if (const cudaError_t status = cudaStreamWaitEvent(lane, fork_, 0); status != cudaSuccess) return status;
  }
  for (std::size_t i = 0; i < kernels_.size(); ++i) {
    const std::size_t lane = i % (lanes_.size() + 1);
    const cudaError_t status = cudaLaunchKernel(reinterpret_cast<const void*>(kernels_[i]), grid, block, args, 0,
                                                lane == 0 ? stream : lanes_[lane - 1]);
    if (status != cudaSuccess) return status;
  }
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    if (const cudaError_t status = cudaEventRecord(joins_[i], lanes_[i]); status != cudaSuccess) return status;
    if (const cudaError_t status = cudaStreamWaitEvent(stream, joins_[i], 0); status != cudaSuccess) return status;
  }
  return cudaSuccess;
}

}  // namespace scb::kernels::codegen
