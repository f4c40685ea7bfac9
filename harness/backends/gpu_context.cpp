#include "harness/backends/gpu_context.hpp"

#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"

namespace scb {

GpuContext::GpuContext(int device, bool cold_l2)
    : device_((SCB_CUDA(cudaSetDevice(device)), device)), cold_l2_(cold_l2) {
  SCB_CUDA(cudaGetDeviceProperties(&properties_, device));
}

GpuContext::~GpuContext() {
  if (cudnn_) cudnnDestroy(cudnn_);
  if (cublas_) cublasDestroy(cublas_);
  if (cusparse_) cusparseDestroy(cusparse_);
}

cudnnHandle_t GpuContext::cudnn() {
  if (!cudnn_) {
    SCB_CUDNN(cudnnCreate(&cudnn_));
    SCB_CUDNN(cudnnSetStream(cudnn_, stream()));
  }
  return cudnn_;
}

cublasHandle_t GpuContext::cublas() {
  if (!cublas_) {
    SCB_CUBLAS(cublasCreate(&cublas_));
    SCB_CUBLAS(cublasSetStream(cublas_, stream()));
  }
  return cublas_;
}

const L2Flush& GpuContext::l2_flush() {
  if (!l2_flush_) l2_flush_ = std::make_unique<L2Flush>(std::size_t(properties_.l2CacheSize));
  return *l2_flush_;
}

cusparseHandle_t GpuContext::cusparse() {
  if (!cusparse_) {
    SCB_CUSPARSE(cusparseCreate(&cusparse_));
    SCB_CUSPARSE(cusparseSetStream(cusparse_, stream()));
  }
  return cusparse_;
}

std::size_t GpuContext::free_memory_bytes() const {
  std::size_t free = 0, total = 0;
  SCB_CUDA(cudaMemGetInfo(&free, &total));
  return free;
}

std::string cudnn_status_text(cudnnStatus_t status) { return cudnnGetErrorString(status); }

std::string cusparse_status_text(cusparseStatus_t status) {
  return std::string(cusparseGetErrorName(status)) + " (" + cusparseGetErrorString(status) + ")";
}

std::string cublas_status_text(cublasStatus_t status) {
  return std::string(cublasGetStatusName(status)) + " (" + cublasGetStatusString(status) + ")";
}

}  // namespace scb
