// Caffe's softmax layer as the baseline (kernels/softmax.cu): five kernels, each a pass over memory, with
// one thread per row for the max and the sum. FP32, as Caffe.
#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "kernels/softmax.hpp"

namespace scb {

namespace {

class SoftmaxCaffeOp final : public PreparedOp {
 public:
  SoftmaxCaffeOp(const Case& c, const DeviceProblem& data)
      : data_(data), rows_(c.batch), classes_(c.layer.C), scratch_(2 * sizeof(float) * std::size_t(c.batch)) {}

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::softmax_caffe(static_cast<const float*>(data_.input), static_cast<float*>(data_.output),
                                    static_cast<float*>(scratch_.get()), rows_, classes_, stream));
  }

  nlohmann::json details() const override {
    return {{"kernels", "row max, subtract, exp, row sum, divide"}, {"threads_per_row_for_max_and_sum", 1}};
  }

 private:
  DeviceProblem data_;
  int rows_, classes_;
  DeviceBuffer scratch_;
};

class SoftmaxCaffeBackend final : public Backend {
 public:
  std::string name() const override { return "softmax_caffe"; }
  std::string summary() const override {
    return "Caffe's softmax layer: five kernels (row max, subtract, exp, row sum, divide), a thread per row for "
           "the max and the sum; FP32";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::softmax}; }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (auto why = refuse_softmax_layouts(c)) return why;
    if (c.precision != Precision::fp32) return Unsupported{"precision", "Caffe's softmax is FP32 only"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<SoftmaxCaffeOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_softmax_caffe_backend() { return std::make_unique<SoftmaxCaffeBackend>(); }

}  // namespace scb
