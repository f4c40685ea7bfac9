// ECR (Xu et al., "Accelerating convolutional neural network by exploiting sparsity on GPUs"): the
// paper's activation-sparse kernel as its authors built it (kernels/ecr.cu), extended to every channel
// count, stride, padding and batch. It skips zero inputs (and zero weights) per output window after
// compacting them in shared memory. A baseline: not tuned. The timed op is the one kernel.
#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/ecr.hpp"

namespace scb {

namespace {

class EcrOp final : public PreparedOp {
 public:
  EcrOp(const Case& c, const DeviceProblem& data) : data_(data), shape_(conv_shape(c)) {
    SCB_CUDA(kernels::ecr_prepare(shape_));
  }

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::ecr_conv(static_cast<const float*>(data_.input), static_cast<const float*>(data_.weights),
                               static_cast<float*>(data_.output), shape_, stream));
  }

  nlohmann::json details() const override {
    return {{"threads", kernels::ecr_threads(shape_)}, {"shared_bytes", kernels::ecr_shared_bytes(shape_)}};
  }

 private:
  DeviceProblem data_;
  kernels::ConvShape shape_;
};

class EcrBackend final : public Backend {
 public:
  std::string name() const override { return "ecr"; }
  std::string summary() const override {
    return "ECR (Xu et al.) as its authors built it: one thread per output element, one block per output row, "
           "the window's nonzero (input, weight) pairs compacted in shared memory and dotted; FP32, untuned "
           "baseline";
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.precision != Precision::fp32) return Unsupported{"precision", "ecr is FP32 only, as in the paper"};
    if (c.layout != Layout::nchw) return Unsupported{"layout", "ecr reads NCHW input only"};
    if (c.layer.K > 65535 || c.batch > 65535)
      return Unsupported{"layer", "ecr launches one grid row per output channel and image: K and N must be <= 65535"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<EcrOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_ecr_backend() { return std::make_unique<EcrBackend>(); }

}  // namespace scb
