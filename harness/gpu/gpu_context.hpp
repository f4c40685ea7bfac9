#pragma once
// The GPU state one run shares: the device, a stream, and library handles bound to that stream.
// Failures to create a handle are GpuErrors; backends check their own library calls (library_status.hpp).
#include <cublas_v2.h>
#include <cudnn.h>
#include <cusparse.h>
#include <cuda_runtime.h>

#include <memory>
#include <string>

#include "harness/gpu/device.hpp"

namespace scb {

class GpuContext {
 public:
  explicit GpuContext(int device = 0);
  ~GpuContext();
  GpuContext(const GpuContext&) = delete;
  GpuContext& operator=(const GpuContext&) = delete;

  int device() const { return device_; }
  const cudaDeviceProp& properties() const { return properties_; }
  cudaStream_t stream() const { return stream_.get(); }
  cudnnHandle_t cudnn();        // created on first use
  cublasHandle_t cublas();      // created on first use
  cusparseHandle_t cusparse();  // created on first use
  std::size_t free_memory_bytes() const;

 private:
  int device_;
  cudaDeviceProp properties_{};
  CudaStream stream_;
  cudnnHandle_t cudnn_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  cusparseHandle_t cusparse_ = nullptr;
};

}  // namespace scb
