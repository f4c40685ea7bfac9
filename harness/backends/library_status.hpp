#pragma once
// Checked cuDNN, cuBLAS and cuSPARSE calls inside backends: a failing call is a BackendError naming the
// call and the library's own words for the status, and the runner records it against the case.
#include <cublas_v2.h>
#include <cudnn.h>
#include <cusparse.h>

#include <string>

#include "harness/backends/backend.hpp"

namespace scb {

std::string cudnn_status_text(cudnnStatus_t status);
std::string cublas_status_text(cublasStatus_t status);
std::string cusparse_status_text(cusparseStatus_t status);

}  // namespace scb

#define SCB_CUDNN(call)                                                                                    \
  do {                                                                                                     \
    const cudnnStatus_t scb_status_ = (call);                                                              \
    if (scb_status_ != CUDNN_STATUS_SUCCESS)                                                               \
      throw ::scb::BackendError(std::string(#call) + " failed: " + ::scb::cudnn_status_text(scb_status_)); \
  } while (0)

#define SCB_CUSPARSE(call)                                                                                    \
  do {                                                                                                        \
    const cusparseStatus_t scb_status_ = (call);                                                              \
    if (scb_status_ != CUSPARSE_STATUS_SUCCESS)                                                               \
      throw ::scb::BackendError(std::string(#call) + " failed: " + ::scb::cusparse_status_text(scb_status_)); \
  } while (0)

#define SCB_CUBLAS(call)                                                                                    \
  do {                                                                                                      \
    const cublasStatus_t scb_status_ = (call);                                                              \
    if (scb_status_ != CUBLAS_STATUS_SUCCESS)                                                               \
      throw ::scb::BackendError(std::string(#call) + " failed: " + ::scb::cublas_status_text(scb_status_)); \
  } while (0)
