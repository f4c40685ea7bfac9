// Our pooling layers (kernels/pool.cu) in NCHW and in CHWN, several outputs per thread: Li et al.'s (SC16)
// answer to the pooling question, against cudnn_pool. The timed op is the one kernel.
#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/pool.hpp"

namespace scb {

namespace {

kernels::PoolElement pool_element(Precision p) {
  return p == Precision::fp16   ? kernels::PoolElement::f16
         : p == Precision::bf16 ? kernels::PoolElement::bf16
                                : kernels::PoolElement::f32;
}

class PoolDirectOp final : public PreparedOp {
 public:
  PoolDirectOp(const Case& c, const DeviceProblem& data, int outputs)
      : data_(data),
        problem_{c.batch,     c.layer.C, c.layer.H,        c.layer.W,     c.layer.P(),
                 c.layer.Q(), c.layer.R, c.layer.stride_h, c.layer.pad_h, c.layer.pool_mode == PoolMode::avg},
        order_(c.layout == Layout::chwn ? kernels::PoolOrder::chwn : kernels::PoolOrder::nchw),
        outputs_(outputs),
        element_(pool_element(c.precision)) {}

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::pool_forward(data_.input, data_.output, problem_, order_, outputs_, element_, stream));
  }

  nlohmann::json details() const override {
    return {{"outputs_per_thread", outputs_},
            {"threads_run_over", order_ == kernels::PoolOrder::chwn ? "images (N)" : "output columns (Q)"}};
  }

 private:
  DeviceProblem data_;
  kernels::PoolProblem problem_;
  kernels::PoolOrder order_;
  int outputs_;
  kernels::PoolElement element_;
};

class PoolDirectBackend final : public Backend {
 public:
  std::string name() const override { return "pool_direct"; }
  std::string summary() const override {
    return "our pooling layers (max, Caffe's average) in NCHW and CHWN, several outputs of a row per thread; "
           "CHWN runs a warp over 32 images";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::pool}; }
  std::vector<ParamDef> params() const override {
    return {{"outputs", {"4", "1", "2", "8"}, "neighbouring outputs of a row per thread"}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout == Layout::nhwc) return Unsupported{"layout", "pool_direct reads NCHW or CHWN input"};
    return refuse_tf32_outside_conv(c);
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<PoolDirectOp>(c, data, std::stoi(param(c, "outputs")));
  }
};

}  // namespace

std::unique_ptr<Backend> make_pool_direct_backend() { return std::make_unique<PoolDirectBackend>(); }

}  // namespace scb
