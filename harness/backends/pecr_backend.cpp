// PECR (Xu et al., "Accelerating convolutional neural network by exploiting sparsity on GPUs"): the paper's
// fused convolution + ReLU + max-pool (kernels/pecr.cu), one block per pooled output, with the layer's pool
// size and stride. It times fuse: pool cases only. A baseline: not tuned.
#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/pecr.hpp"

namespace scb {

namespace {

class PecrOp final : public PreparedOp {
 public:
  PecrOp(const Case& c, const DeviceProblem& data) : data_(data), shape_(conv_shape(c)) {
    const PoolShape& pool = *c.layer.pool;
    pool_ = {pool.size, pool.stride, pool.pad, c.output_height(), c.output_width()};
    SCB_CUDA(kernels::pecr_prepare(shape_, pool_));
  }

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::pecr_conv_pool(static_cast<const float*>(data_.input), static_cast<const float*>(data_.weights),
                                     static_cast<float*>(data_.output), shape_, pool_, stream));
  }

  nlohmann::json details() const override {
    return {{"threads_per_block", pool_.size * pool_.size},
            {"blocks", (long long)pool_.P * pool_.Q * shape_.N * shape_.K}};
  }

 private:
  DeviceProblem data_;
  kernels::ConvShape shape_;
  kernels::PoolGeometry pool_{};
};

class PecrBackend final : public Backend {
 public:
  std::string name() const override { return "pecr"; }
  std::string summary() const override {
    return "PECR (Xu et al.) as its authors built it: fused conv + ReLU + max-pool, one block per pooled output, one "
           "thread per conv output of the window, nonzero inputs compacted in shared memory; FP32, fuse: pool only, "
           "untuned baseline";
  }
  bool fuses_pool() const override { return true; }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.fuse != Fuse::pool)
      return Unsupported{"fuse", "pecr computes the convolution fused with its pool: use fuse: pool"};
    if (c.precision != Precision::fp32) return Unsupported{"precision", "pecr is FP32 only, as in the paper"};
    if (c.layout != Layout::nchw) return Unsupported{"layout", "pecr reads NCHW input only"};
    if ((long long)c.batch * c.layer.K > 65535)
      return Unsupported{"batch", "pecr launches one grid layer per image and output channel: N x K must be <= 65535"};
    if (c.layer.pool->size > 32)
      return Unsupported{"layer", "pecr runs one thread per conv output of a pooling window: at most 32 x 32"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<PecrOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_pecr_backend() { return std::make_unique<PecrBackend>(); }

}  // namespace scb
