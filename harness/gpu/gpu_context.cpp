#include "harness/gpu/gpu_context.hpp"

#include "harness/gpu/cuda_check.hpp"

namespace scb {

namespace {

// A library handle that cannot be made means the GPU or its libraries are unusable: a GpuError.
template <class Status>
void check_handle(Status status, Status success, const char* what, const std::string& text) {
  if (status != success) throw GpuError(std::string(what) + " failed: " + text);
}

}  // namespace

GpuContext::GpuContext(int device) : device_((SCB_CUDA(cudaSetDevice(device)), device)) {
  SCB_CUDA(cudaGetDeviceProperties(&properties_, device));
}

GpuContext::~GpuContext() {
  if (cudnn_) cudnnDestroy(cudnn_);
  if (cublas_) cublasDestroy(cublas_);
  if (cusparse_) cusparseDestroy(cusparse_);
}

cudnnHandle_t GpuContext::cudnn() {
  if (!cudnn_) {
    cudnnStatus_t status = cudnnCreate(&cudnn_);
    check_handle(status, CUDNN_STATUS_SUCCESS, "cudnnCreate", cudnnGetErrorString(status));
    status = cudnnSetStream(cudnn_, stream());
    check_handle(status, CUDNN_STATUS_SUCCESS, "cudnnSetStream", cudnnGetErrorString(status));
  }
  return cudnn_;
}

cublasHandle_t GpuContext::cublas() {
  if (!cublas_) {
    cublasStatus_t status = cublasCreate(&cublas_);
    check_handle(status, CUBLAS_STATUS_SUCCESS, "cublasCreate", cublasGetStatusString(status));
    status = cublasSetStream(cublas_, stream());
    check_handle(status, CUBLAS_STATUS_SUCCESS, "cublasSetStream", cublasGetStatusString(status));
  }
  return cublas_;
}

cusparseHandle_t GpuContext::cusparse() {
  if (!cusparse_) {
    cusparseStatus_t status = cusparseCreate(&cusparse_);
    check_handle(status, CUSPARSE_STATUS_SUCCESS, "cusparseCreate", cusparseGetErrorString(status));
    status = cusparseSetStream(cusparse_, stream());
    check_handle(status, CUSPARSE_STATUS_SUCCESS, "cusparseSetStream", cusparseGetErrorString(status));
  }
  return cusparse_;
}

std::size_t GpuContext::free_memory_bytes() const {
  std::size_t free = 0, total = 0;
  SCB_CUDA(cudaMemGetInfo(&free, &total));
  return free;
}

}  // namespace scb
