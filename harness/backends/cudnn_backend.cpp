// cuDNN's forward convolution (legacy API): algorithm found by cudnnFindConvolutionForwardAlgorithm and
// re-timed here, unless a param forces one; FP32 accumulation in every precision.
#include <algorithm>
#include <array>

#include "harness/backends/backend.hpp"
#include "harness/backends/cudnn_descriptors.hpp"
#include "harness/backends/library_status.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"

namespace scb {

namespace {

constexpr std::array<std::pair<cudnnConvolutionFwdAlgo_t, const char*>, 8> kAlgorithms{{
    {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, "implicit_gemm"},
    {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, "implicit_precomp_gemm"},
    {CUDNN_CONVOLUTION_FWD_ALGO_GEMM, "gemm"},
    {CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, "direct"},
    {CUDNN_CONVOLUTION_FWD_ALGO_FFT, "fft"},
    {CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, "fft_tiling"},
    {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, "winograd"},
    {CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED, "winograd_nonfused"},
}};

std::string algorithm_name(cudnnConvolutionFwdAlgo_t algo) {
  for (const auto& [a, name] : kAlgorithms)
    if (a == algo) return name;
  return "unknown";
}

std::string math_name(cudnnMathType_t math) {
  switch (math) {
    case CUDNN_DEFAULT_MATH:
      return "default";
    case CUDNN_TENSOR_OP_MATH:
      return "tensor_op";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION:
      return "tensor_op_allow_conversion";
    case CUDNN_FMA_MATH:
      return "fma";
  }
  return "unknown";
}

// fp32 means true FP32 (FMA only: no TF32); the other precisions may use tensor cores.
cudnnMathType_t math_type(Precision p) { return p == Precision::fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH; }

class CudnnOp final : public PreparedOp {
 public:
  CudnnOp(GpuContext& gpu, const Case& c, const DeviceProblem& data, const std::string& forced_algo)
      : handle_(gpu.cudnn()), data_(data) {
    const Layer& l = c.layer;
    const cudnnTensorFormat_t format = cudnn_tensor_format(c.layout);
    const cudnnDataType_t type = cudnn_data_type(c.precision);
    SCB_CUDNN(cudnnCreateTensorDescriptor(&x_.handle));
    SCB_CUDNN(cudnnCreateTensorDescriptor(&y_.handle));
    SCB_CUDNN(cudnnCreateFilterDescriptor(&w_.handle));
    SCB_CUDNN(cudnnCreateConvolutionDescriptor(&conv_.handle));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(x_.handle, format, type, c.batch, l.C, l.H, l.W));
    SCB_CUDNN(cudnnSetFilter4dDescriptor(w_.handle, type, format, l.K, l.channels_per_group(), l.R, l.S));
    SCB_CUDNN(cudnnSetConvolution2dDescriptor(conv_.handle, l.pad_h, l.pad_w, l.stride_h, l.stride_w, l.dilation_h,
                                              l.dilation_w, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    SCB_CUDNN(cudnnSetConvolutionGroupCount(conv_.handle, l.groups));
    SCB_CUDNN(cudnnSetConvolutionMathType(conv_.handle, math_type(c.precision)));
    int n = 0, k = 0, p = 0, q = 0;
    SCB_CUDNN(cudnnGetConvolution2dForwardOutputDim(conv_.handle, x_.handle, w_.handle, &n, &k, &p, &q));
    if (n != c.batch || k != l.K || p != l.P() || q != l.Q())
      throw BackendError("cuDNN computes output " + std::to_string(p) + "x" + std::to_string(q) +
                         ", the layer expects " + std::to_string(l.P()) + "x" + std::to_string(l.Q()));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(y_.handle, format, type, n, k, p, q));
    if (c.fuse == Fuse::pool) set_up_relu_and_pool(c, format, type);

    if (forced_algo == "auto") {
      find_algorithms(c.precision);
    } else {
      cudnnConvolutionFwdAlgoPerf_t forced{};
      for (const auto& [a, name] : kAlgorithms)
        if (name == forced_algo) forced.algo = a;
      forced.mathType = math_type(c.precision);
      const cudnnStatus_t status = cudnnGetConvolutionForwardWorkspaceSize(handle_, x_.handle, w_.handle, conv_.handle,
                                                                           y_.handle, forced.algo, &forced.memory);
      if (status != CUDNN_STATUS_SUCCESS)
        throw BackendError("cuDNN algorithm '" + forced_algo + "' cannot run this case: " + cudnn_status_text(status));
      candidates_ = {forced};
    }
    use_candidate(0);
    details_["algorithm_chosen_by"] =
        forced_algo == "auto" ? "cudnnFindConvolutionForwardAlgorithm's candidates, each timed by the run's engine"
                              : "params";
  }

  // With algo=auto: every algorithm cudnnFind ran successfully with a math type this precision allows.
  std::size_t candidate_count() const override { return candidates_.size(); }

  nlohmann::json describe_candidate(std::size_t index) const override {
    const auto& r = candidates_.at(index);
    return {{"algorithm", algorithm_name(r.algo)}, {"math_type", math_name(r.mathType)}};
  }

  void use_candidate(std::size_t index) override {
    const auto& r = candidates_.at(index);
    algorithm_ = r.algo;
    math_ = r.mathType;
    workspace_bytes_ = r.memory;
    SCB_CUDNN(cudnnSetConvolutionMathType(conv_.handle, math_));
    if (workspace_.bytes() < workspace_bytes_) workspace_ = DeviceBuffer(workspace_bytes_);
    details_["algorithm"] = algorithm_name(algorithm_);
    details_["math_type"] = math_name(math_);
    details_["workspace_bytes"] = workspace_bytes_;
  }

  // Unfused: the convolution into the output. Fused: the convolution into its own buffer, ReLU in place,
  // then the max-pool into the output, one op.
  void run(cudaStream_t stream) override {
    SCB_CUDNN(cudnnSetStream(handle_, stream));
    const float alpha = 1.0f, beta = 0.0f;
    void* conv_out = fused_ ? conv_out_.get() : data_.output;
    SCB_CUDNN(cudnnConvolutionForward(handle_, &alpha, x_.handle, data_.input, w_.handle, data_.weights, conv_.handle,
                                      algorithm_, workspace_.get(), workspace_bytes_, &beta, y_.handle, conv_out));
    if (!fused_) return;
    SCB_CUDNN(cudnnActivationForward(handle_, relu_.handle, &alpha, y_.handle, conv_out, &beta, y_.handle, conv_out));
    SCB_CUDNN(cudnnPoolingForward(handle_, pool_.handle, &alpha, y_.handle, conv_out, &beta, z_.handle, data_.output));
  }

  nlohmann::json details() const override { return details_; }

 private:
  // cudnnFind runs every algorithm once (cuDNN allocates its own scratch). Its own ranking is not used: it
  // times each algorithm once and its pick flipped between runs among algorithms up to 4x apart; the
  // runner times the candidates again, as it times cases.
  void set_up_relu_and_pool(const Case& c, cudnnTensorFormat_t format, cudnnDataType_t type) {
    const Layer& l = c.layer;
    const PoolShape& pool = *l.pool;
    fused_ = true;
    SCB_CUDNN(cudnnCreateActivationDescriptor(&relu_.handle));
    SCB_CUDNN(cudnnSetActivationDescriptor(relu_.handle, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0));
    SCB_CUDNN(cudnnCreatePoolingDescriptor(&pool_.handle));
    // After ReLU every value is >= 0, so whether the padding counts as zero or is skipped cannot change a max.
    SCB_CUDNN(cudnnSetPooling2dDescriptor(pool_.handle, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, pool.size,
                                          pool.size, pool.pad, pool.pad, pool.stride, pool.stride));
    int n = 0, k = 0, p = 0, q = 0;
    SCB_CUDNN(cudnnGetPooling2dForwardOutputDim(pool_.handle, y_.handle, &n, &k, &p, &q));
    if (p != c.output_height() || q != c.output_width())
      throw BackendError("cuDNN pools to " + std::to_string(p) + "x" + std::to_string(q) + ", the layer expects " +
                         std::to_string(c.output_height()) + "x" + std::to_string(c.output_width()));
    SCB_CUDNN(cudnnCreateTensorDescriptor(&z_.handle));
    SCB_CUDNN(cudnnSetTensor4dDescriptor(z_.handle, format, type, n, k, p, q));
    conv_out_ = DeviceBuffer(std::size_t(c.batch) * l.K * l.P() * l.Q() * bytes_per_element(storage_of(c.precision)));
    details_["fused"] = "cudnnConvolutionForward, cudnnActivationForward (ReLU, in place), cudnnPoolingForward (max)";
  }

  void find_algorithms(Precision precision) {
    std::array<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT> results{};
    int returned = 0;
    SCB_CUDNN(cudnnFindConvolutionForwardAlgorithm(handle_, x_.handle, w_.handle, conv_.handle, y_.handle,
                                                   int(results.size()), &returned, results.data()));
    nlohmann::json found = nlohmann::json::array();
    for (int i = 0; i < returned; ++i) {
      const auto& r = results[i];
      if (r.status != CUDNN_STATUS_SUCCESS) continue;
      found.push_back({{"algorithm", algorithm_name(r.algo)},
                       {"math_type", math_name(r.mathType)},
                       {"find_time_ms", r.time},
                       {"workspace_bytes", r.memory}});
      if (precision != Precision::fp32 || r.mathType == CUDNN_FMA_MATH) candidates_.push_back(r);
    }
    details_["find_results"] = found;
    if (candidates_.empty())
      throw BackendError("cudnnFindConvolutionForwardAlgorithm found no algorithm for this case");
  }

  cudnnHandle_t handle_;
  DeviceProblem data_;
  TensorDescriptor x_, y_;
  FilterDescriptor w_;
  ConvolutionDescriptor conv_;
  cudnnConvolutionFwdAlgo_t algorithm_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  cudnnMathType_t math_ = CUDNN_DEFAULT_MATH;
  std::size_t workspace_bytes_ = 0;
  DeviceBuffer workspace_;
  std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates_;  // in cudnnFind's order; forced: the one algorithm
  bool fused_ = false;  // fuse: pool: the conv writes conv_out_, ReLU and the pool write the output (z_)
  TensorDescriptor z_;
  ActivationDescriptor relu_;
  PoolingDescriptor pool_;
  DeviceBuffer conv_out_;
  nlohmann::json details_ = nlohmann::json::object();
};

class CudnnBackend final : public Backend {
 public:
  std::string name() const override { return "cudnn"; }
  std::string summary() const override {
    return "cuDNN forward convolution; fastest algorithm per case, cudnnFind's candidates re-timed (fp32 = FMA only, "
           "no TF32); with fuse: pool, then ReLU and max-pooling in the same op";
  }
  std::vector<ParamDef> params() const override {
    ParamDef algo{
        "algo",
        {"auto"},
        "auto = cudnnFindConvolutionForwardAlgorithm's candidates, each timed by the run's engine "
        "(median of 5 samples, the run's L2 state), the fastest that verifies; otherwise force this algorithm"};
    for (const auto& [a, name] : kAlgorithms) algo.values.push_back(name);
    return {algo};
  }
  // Fused, it is the dense conv + pool baseline: cuDNN's convolution, ReLU and max-pool timed as one op.
  bool fuses_pool() const override { return true; }
  // cuDNN takes every precision, layout and groups value a sweep can name; an algorithm that
  // refuses a shape at run time is recorded as that case's error.
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout == Layout::chwn)
      return Unsupported{"layout", "cuDNN has no CHWN (batch innermost) tensor format: use NCHW or NHWC"};
    if (c.fuse == Fuse::pool) {
      const PoolShape& pool = *c.layer.pool;
      if (cudnn_pooled_size(c.layer.P(), pool) != c.output_height() ||
          cudnn_pooled_size(c.layer.Q(), pool) != c.output_width())
        return Unsupported{"layer", "cuDNN's pooled size rounds down and the layer's (Caffe's) rounds up here: " +
                                        std::to_string(c.output_height()) + "x" + std::to_string(c.output_width()) +
                                        " pooled outputs"};
    }
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<CudnnOp>(gpu, c, data, param(c, "algo"));
  }
};

}  // namespace

std::unique_ptr<Backend> make_cudnn_backend() { return std::make_unique<CudnnBackend>(); }

}  // namespace scb
