// cuDNN's softmax (cudnnSoftmaxForward, accurate mode: the max subtracted) over each image's classes. The
// library baseline for Li et al.'s (SC16) softmax study.
#include "harness/backends/backend.hpp"
#include "harness/backends/cudnn_descriptors.hpp"
#include "harness/backends/library_status.hpp"
#include "harness/gpu/gpu_context.hpp"

namespace scb {

namespace {

class CudnnSoftmaxOp final : public PreparedOp {
 public:
  CudnnSoftmaxOp(GpuContext& gpu, const Case& c, const DeviceProblem& data) : handle_(gpu.cudnn()), data_(data) {
    SCB_CUDNN(cudnnCreateTensorDescriptor(&x_.handle));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(x_.handle, CUDNN_TENSOR_NCHW, cudnn_data_type(c.precision), c.batch, c.layer.C,
                                         1, 1));
  }

  void run(cudaStream_t stream) override {
    const float alpha = 1.0f, beta = 0.0f;
    SCB_CUDNN(cudnnSetStream(handle_, stream));
    SCB_CUDNN(cudnnSoftmaxForward(handle_, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE, &alpha, x_.handle,
                                  data_.input, &beta, x_.handle, data_.output));
  }

  nlohmann::json details() const override {
    return {{"call", "cudnnSoftmaxForward"}, {"algorithm", "accurate"}, {"mode", "instance"}};
  }

 private:
  cudnnHandle_t handle_;
  DeviceProblem data_;
  TensorDescriptor x_;
};

class CudnnSoftmaxBackend final : public Backend {
 public:
  std::string name() const override { return "cudnn_softmax"; }
  std::string summary() const override {
    return "cuDNN softmax (cudnnSoftmaxForward, accurate mode, per image over its classes)";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::softmax}; }
  std::optional<Unsupported> unsupported(const Case& c) const override { return refuse_softmax_layouts(c); }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<CudnnSoftmaxOp>(gpu, c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_cudnn_softmax_backend() { return std::make_unique<CudnnSoftmaxBackend>(); }

}  // namespace scb
