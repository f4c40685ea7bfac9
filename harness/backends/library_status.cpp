#include "harness/backends/library_status.hpp"

namespace scb {

std::string cudnn_status_text(cudnnStatus_t status) { return cudnnGetErrorString(status); }

std::string cusparse_status_text(cusparseStatus_t status) {
  return std::string(cusparseGetErrorName(status)) + " (" + cusparseGetErrorString(status) + ")";
}

std::string cublas_status_text(cublasStatus_t status) {
  return std::string(cublasGetStatusName(status)) + " (" + cublasGetStatusString(status) + ")";
}

}  // namespace scb
