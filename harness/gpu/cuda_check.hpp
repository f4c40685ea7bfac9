#pragma once
// Checked CUDA runtime calls: every failure becomes an exception that says what was being done.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace scb {

class GpuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) throw_cuda_error(status, call, file, line);
}

}  // namespace scb

#define SCB_CUDA(call) ::scb::check_cuda((call), #call, __FILE__, __LINE__)
// After a kernel launch: launch errors are only visible through cudaGetLastError.
#define SCB_CUDA_LAUNCHED(what) ::scb::check_cuda(cudaGetLastError(), what, __FILE__, __LINE__)
