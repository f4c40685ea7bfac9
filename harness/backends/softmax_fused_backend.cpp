// Our softmax (kernels/softmax.cu): one kernel that reads each row once and writes it once, a warp per row up
// to 1024 classes and a block per row above (registers, then shared memory). Li et al.'s (SC16) fix for Caffe's
// multi-kernel softmax.
#include "harness/backends/backend.hpp"
#include "harness/backends/kernel_types.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/softmax.hpp"

namespace scb {

namespace {

class SoftmaxFusedOp final : public PreparedOp {
 public:
  SoftmaxFusedOp(const Case& c, const DeviceProblem& data)
      : data_(data), rows_(c.batch), classes_(c.layer.C), element_(element_type(c.precision)) {
    SCB_CUDA(kernels::softmax_fused_prepare(classes_));
  }

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::softmax_fused(data_.input, data_.output, rows_, classes_, element_, stream));
  }

  nlohmann::json details() const override {
    const kernels::SoftmaxFusedShape shape = kernels::softmax_fused_shape(classes_);
    return {{"threads_per_row", shape.threads_per_row},
            {"values_per_thread", shape.values_per_thread},
            {"row_held_in", shape.row_held_in}};
  }

 private:
  DeviceProblem data_;
  int rows_, classes_;
  kernels::ElementType element_;
};

class SoftmaxFusedBackend final : public Backend {
 public:
  std::string name() const override { return "softmax_fused"; }
  std::string summary() const override {
    return "our softmax, one kernel, each row read and written once: a warp per row up to 1024 classes and a "
           "block per row up to 24576 (registers), a block per row in shared memory above; FP32 arithmetic";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::softmax}; }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (auto why = refuse_softmax_layouts(c)) return why;
    if (c.layer.C > kernels::softmax_fused_max_classes())
      return Unsupported{"layer", "softmax_fused keeps a row in one block's shared memory: at most " +
                                      std::to_string(kernels::softmax_fused_max_classes()) + " classes"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<SoftmaxFusedOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_softmax_fused_backend() { return std::make_unique<SoftmaxFusedBackend>(); }

}  // namespace scb
