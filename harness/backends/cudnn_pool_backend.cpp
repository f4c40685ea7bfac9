// cuDNN's pooling (cudnnPoolingForward) on a pooling layer: max, or average with the padding counted (as
// Caffe counts it). The baseline for Li et al.'s (SC16) pooling study; NCHW and NHWC (cuDNN has no CHWN).
#include "harness/backends/backend.hpp"
#include "harness/backends/cudnn_descriptors.hpp"
#include "harness/backends/library_status.hpp"
#include "harness/gpu/gpu_context.hpp"

namespace scb {

namespace {

class CudnnPoolOp final : public PreparedOp {
 public:
  CudnnPoolOp(GpuContext& gpu, const Case& c, const DeviceProblem& data) : handle_(gpu.cudnn()), data_(data) {
    const Layer& l = c.layer;
    const cudnnTensorFormat_t format = cudnn_tensor_format(c.layout);
    const cudnnDataType_t type = cudnn_data_type(c.precision);
    SCB_CUDNN(cudnnCreateTensorDescriptor(&x_.handle));
    SCB_CUDNN(cudnnCreateTensorDescriptor(&y_.handle));
    SCB_CUDNN(cudnnCreatePoolingDescriptor(&pool_.handle));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(x_.handle, format, type, c.batch, l.C, l.H, l.W));
    const cudnnPoolingMode_t mode =
        l.pool_mode == PoolMode::max ? CUDNN_POOLING_MAX : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
    SCB_CUDNN(cudnnSetPooling2dDescriptor(pool_.handle, mode, CUDNN_NOT_PROPAGATE_NAN, l.R, l.S, l.pad_h, l.pad_w,
                                          l.stride_h, l.stride_w));
    int n = 0, k = 0, p = 0, q = 0;
    SCB_CUDNN(cudnnGetPooling2dForwardOutputDim(pool_.handle, x_.handle, &n, &k, &p, &q));
    if (p != l.P() || q != l.Q())
      throw BackendError("cuDNN pools to " + std::to_string(p) + "x" + std::to_string(q) + ", the layer expects " +
                         std::to_string(l.P()) + "x" + std::to_string(l.Q()));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(y_.handle, format, type, n, k, p, q));
  }

  void run(cudaStream_t stream) override {
    const float alpha = 1.0f, beta = 0.0f;
    SCB_CUDNN(cudnnSetStream(handle_, stream));
    SCB_CUDNN(
        cudnnPoolingForward(handle_, pool_.handle, &alpha, x_.handle, data_.input, &beta, y_.handle, data_.output));
  }

  nlohmann::json details() const override { return {{"call", "cudnnPoolingForward"}}; }

 private:
  cudnnHandle_t handle_;
  DeviceProblem data_;
  TensorDescriptor x_, y_;
  PoolingDescriptor pool_;
};

class CudnnPoolBackend final : public Backend {
 public:
  std::string name() const override { return "cudnn_pool"; }
  std::string summary() const override {
    return "cuDNN pooling (cudnnPoolingForward): max, or average counting the padding as Caffe does; NCHW, NHWC";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::pool}; }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout == Layout::chwn)
      return Unsupported{"layout", "cuDNN has no CHWN (batch innermost) tensor format: use NCHW or NHWC"};
    if (auto why = refuse_tf32_outside_conv(c)) return why;
    // Rounding down, cuDNN never has a window that reaches past the padded map, so its average's divisor
    // (the whole window) is Caffe's wherever the sizes agree.
    const PoolShape window{c.layer.R, c.layer.stride_h, c.layer.pad_h};
    if (cudnn_pooled_size(c.layer.H, window) != c.layer.P() || cudnn_pooled_size(c.layer.W, window) != c.layer.Q())
      return Unsupported{"layer", "cuDNN's pooled size rounds down and the layer's (Caffe's) rounds up here: " +
                                      std::to_string(c.layer.P()) + "x" + std::to_string(c.layer.Q()) +
                                      " pooled outputs"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<CudnnPoolOp>(gpu, c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_cudnn_pool_backend() { return std::make_unique<CudnnPoolBackend>(); }

}  // namespace scb
