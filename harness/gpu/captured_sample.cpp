#include "harness/gpu/captured_sample.hpp"

#include <exception>

#include "harness/gpu/cuda_check.hpp"

namespace scb {

CapturedSample::CapturedSample(cudaStream_t stream, const std::function<void(cudaStream_t)>& op, cudaEvent_t start,
                               cudaEvent_t stop, std::string& why_not) {
  if (cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    why_not = "cudaStreamBeginCapture failed";
    (void)cudaGetLastError();
    return;
  }
  std::string failure;
  try {
    SCB_CUDA(cudaEventRecordWithFlags(start, stream, cudaEventRecordExternal));
    op(stream);
    SCB_CUDA(cudaEventRecordWithFlags(stop, stream, cudaEventRecordExternal));
  } catch (const std::exception& e) {
    failure = e.what();
  }
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream, &graph);
  if (failure.empty() && ended != cudaSuccess) failure = std::string("capture: ") + cudaGetErrorString(ended);
  if (failure.empty() && cudaGraphInstantiate(&exec_, graph, 0) != cudaSuccess) failure = "cudaGraphInstantiate failed";
  if (graph) cudaGraphDestroy(graph);
  if (!failure.empty()) {
    (void)cudaGetLastError();
    if (exec_) cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
    why_not = "the op cannot be captured in a CUDA graph (" + failure + ")";
  }
}

CapturedSample::~CapturedSample() {
  if (exec_) cudaGraphExecDestroy(exec_);
}

void CapturedSample::launch(cudaStream_t stream) const { SCB_CUDA(cudaGraphLaunch(exec_, stream)); }

}  // namespace scb
