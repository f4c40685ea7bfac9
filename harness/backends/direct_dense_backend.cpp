// Our dense direct convolution in NCHW and in CHWN (kernels/direct_dense.cu), for Li et al.'s (SC16) layout
// question: one kernel family whose warps run over output columns (NCHW) or over images of the batch (CHWN),
// so that a case's layout alone decides how full its warps are. cuDNN has no CHWN; this backend is the
// like-for-like pair. The timed op is the one kernel.
#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/direct_dense.hpp"

namespace scb {

namespace {

class DirectDenseOp final : public PreparedOp {
 public:
  DirectDenseOp(const Case& c, const DeviceProblem& data, int outputs)
      : data_(data),
        shape_(conv_shape(c)),
        layout_(c.layout == Layout::chwn ? kernels::DenseLayout::chwn : kernels::DenseLayout::nchw),
        outputs_(outputs) {
    SCB_CUDA(kernels::direct_dense_prepare(shape_, layout_, outputs_));
  }

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::direct_dense_conv(static_cast<const float*>(data_.input),
                                        static_cast<const float*>(data_.weights), static_cast<float*>(data_.output),
                                        shape_, layout_, outputs_, stream));
  }

  nlohmann::json details() const override {
    return {{"staged_input_channels", kernels::direct_dense_chunk(shape_)},
            {"shared_bytes", kernels::direct_dense_shared_bytes(shape_)},
            {"warp_runs_over", layout_ == kernels::DenseLayout::chwn ? "images (N)" : "output columns (Q)"},
            {"outputs_per_thread", outputs_}};
  }

 private:
  DeviceProblem data_;
  kernels::ConvShape shape_;
  kernels::DenseLayout layout_;
  int outputs_;
};

class DirectDenseBackend final : public Backend {
 public:
  std::string name() const override { return "direct_dense"; }
  std::string summary() const override {
    return "our dense direct conv, one kernel family in NCHW (a warp over 32 output columns) and CHWN (a warp "
           "over 32 images, cuda-convnet's order); 8 output channels per thread, weights staged in shared "
           "memory; FP32, groups 1";
  }
  std::vector<ParamDef> params() const override {
    return {{"outputs",
             {"1", "4"},
             "outputs per thread along its lanes' dimension: images in CHWN (each staged weight reused across the "
             "batch, as cuda-convnet), neighbouring columns in NCHW"}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.precision != Precision::fp32) return Unsupported{"precision", "direct_dense is FP32 only"};
    if (c.layout == Layout::nhwc) return Unsupported{"layout", "direct_dense reads NCHW or CHWN input"};
    if (c.layer.groups != 1) return Unsupported{"layer", "direct_dense computes groups = 1 only"};
    if (c.layer.K > 65535 * 32) return Unsupported{"layer", "direct_dense launches one grid row per 32 channels"};
    if (c.layout == Layout::nchw && c.batch > 65535)
      return Unsupported{"batch", "direct_dense in NCHW launches one grid layer per image: N <= 65535"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<DirectDenseOp>(c, data, std::stoi(param(c, "outputs")));
  }
};

}  // namespace

std::unique_ptr<Backend> make_direct_dense_backend() { return std::make_unique<DirectDenseBackend>(); }

}  // namespace scb
