#include "harness/gpu/cuda_check.hpp"

namespace scb {

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  throw GpuError(std::string(call) + " failed: " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) +
                 ") at " + file + ":" + std::to_string(line));
}

}  // namespace scb
