// Our im2col kernel followed by cuBLAS GEMMs (one strided-batched GEMM over the batch per group).
// Both steps are inside the timed op, as in the papers' im2col baselines.
#include "harness/backends/backend.hpp"
#include "harness/backends/library_status.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "kernels/im2col.hpp"

namespace scb {

namespace {

cudaDataType_t cuda_type(Precision p) {
  switch (p) {
    case Precision::fp16:
      return CUDA_R_16F;
    case Precision::bf16:
      return CUDA_R_16BF;
    default:
      return CUDA_R_32F;
  }
}

// fp32 is strict FP32; tf32 lets cuBLAS round inputs to TF32 on tensor cores.
cublasComputeType_t compute_type(Precision p) {
  return p == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

class Im2colCublasOp final : public PreparedOp {
 public:
  Im2colCublasOp(GpuContext& gpu, const Case& c, const DeviceProblem& data)
      : handle_(gpu.cublas()), data_(data), precision_(c.precision), batch_(c.batch), layer_(c.layer) {
    const Layer& l = c.layer;
    shape_ = {c.batch, l.C,        l.H,        l.W,     l.R,     l.S,          l.P(),
              l.Q(),   l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.dilation_h, l.dilation_w};
    const std::size_t element = bytes_per_element(storage_of(c.precision));
    const std::size_t column_bytes = std::size_t(c.batch) * l.C * l.R * l.S * l.P() * l.Q() * element;
    if (column_bytes > gpu.free_memory_bytes() * 9 / 10)
      throw BackendError("the im2col column buffer needs " + std::to_string(column_bytes >> 20) +
                         " MiB, more than the GPU has free");
    columns_ = DeviceBuffer(column_bytes);
    details_["column_buffer_bytes"] = column_bytes;
    details_["gemm_calls"] = l.groups;
    details_["compute_type"] = c.precision == Precision::tf32 ? "CUBLAS_COMPUTE_32F_FAST_TF32" : "CUBLAS_COMPUTE_32F";
  }

  void run(cudaStream_t stream) override {
    switch (precision_) {
      case Precision::fp16:
        lower<__half>(stream);
        break;
      case Precision::bf16:
        lower<__nv_bfloat16>(stream);
        break;
      default:
        lower<float>(stream);
    }
    gemms(stream);
  }

  nlohmann::json details() const override { return details_; }

 private:
  template <class T>
  void lower(cudaStream_t stream) {
    SCB_CUDA(kernels::im2col_nchw(static_cast<const T*>(data_.input), columns_.as<T>(), shape_, stream));
  }

  // Row-major Out_g (K/g x PQ) = W_g (K/g x L) * Col_g (L x PQ), L = C/g*R*S; cuBLAS is
  // column-major, so it computes Out_g^T = Col_g^T * W_g^T with the same memory.
  void gemms(cudaStream_t stream) {
    SCB_CUBLAS(cublasSetStream(handle_, stream));
    const Layer& l = layer_;
    const long long PQ = (long long)l.P() * l.Q();
    const long long L = l.reduction_length();
    const int Kg = l.outputs_per_group();
    const std::size_t element = bytes_per_element(storage_of(precision_));
    const float alpha = 1.0f, beta = 0.0f;
    const cudaDataType_t type = cuda_type(precision_);
    for (int g = 0; g < l.groups; ++g) {
      const auto* col = static_cast<const char*>(columns_.get()) + g * L * PQ * element;
      const auto* w = static_cast<const char*>(data_.weights) + g * Kg * L * element;
      auto* out = static_cast<char*>(data_.output) + g * Kg * PQ * element;
      SCB_CUBLAS(cublasGemmStridedBatchedEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, int(PQ), Kg, int(L), &alpha, col, type,
                                            int(PQ), (long long)l.C * l.R * l.S * PQ, w, type, int(L), 0, &beta, out,
                                            type, int(PQ), (long long)l.K * PQ, batch_, compute_type(precision_),
                                            CUBLAS_GEMM_DEFAULT));
    }
  }

  cublasHandle_t handle_;
  DeviceProblem data_;
  Precision precision_;
  int batch_;
  Layer layer_;
  kernels::Im2colShape shape_{};
  DeviceBuffer columns_;
  nlohmann::json details_ = nlohmann::json::object();
};

class Im2colCublasBackend final : public Backend {
 public:
  std::string name() const override { return "im2col_cublas"; }
  std::string summary() const override { return "im2col lowering (ours) + cublasGemmStridedBatchedEx per group"; }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout != Layout::nchw)
      return Unsupported{
          "layout",
          "im2col_cublas lowers NCHW input only (its GEMM reads an NCHW column matrix and writes NCHW output)"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<Im2colCublasOp>(gpu, c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_im2col_cublas_backend() { return std::make_unique<Im2colCublasBackend>(); }

}  // namespace scb
