#pragma once
// A CUDA graph of [start event, op, stop event]: replaying it times the op's GPU work with no host launch
// gaps and fewer GPU front-end gaps than enqueuing the calls one by one. Used by the timing engine and by
// backends that rank their own candidates (cuDNN).
#include <cuda_runtime.h>

#include <functional>
#include <string>

namespace scb {

class CapturedSample {
 public:
  // On failure ok() is false and why_not says why (the op cannot be captured, say).
  CapturedSample(cudaStream_t stream, const std::function<void(cudaStream_t)>& op, cudaEvent_t start, cudaEvent_t stop,
                 std::string& why_not);
  ~CapturedSample();
  CapturedSample(const CapturedSample&) = delete;
  CapturedSample& operator=(const CapturedSample&) = delete;
  bool ok() const { return exec_ != nullptr; }
  void launch(cudaStream_t stream) const;

 private:
  cudaGraphExec_t exec_ = nullptr;
};

}  // namespace scb
