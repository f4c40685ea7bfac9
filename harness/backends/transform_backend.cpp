// A layout change as a timed op of its own (kernels/transform.cu): a layer's input tensor from the layout the
// param names to the case's layout. What `scbench plan-layouts` charges where neighbouring layers' layouts
// differ (Li et al., SC16). Prepare stores the input in the source layout; the timed op is the transpose.
#include "harness/backends/backend.hpp"
#include "harness/backends/kernel_types.hpp"
#include "harness/data/problem_data.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "kernels/transform.hpp"

namespace scb {

namespace {

class TransformOp final : public PreparedOp {
 public:
  TransformOp(const Case& c, const DeviceProblem& data, Layout from)
      : data_(data), c_(c), from_(from), element_bytes_(int(bytes_per_element(storage_of(c.precision)))) {
    const Layer& l = c.layer;
    const auto source = encode_activations(data.host.input, c.batch, l.C, l.H, l.W, from, storage_of(c.precision));
    source_ = upload_bytes(source.data(), source.size());
  }

  void run(cudaStream_t stream) override {
    const Layer& l = c_.layer;
    SCB_CUDA(kernels::transform_layout(source_.get(), data_.output, c_.batch, l.C, l.H, l.W, tensor_order(from_),
                                       tensor_order(c_.layout), element_bytes_, stream));
  }

  nlohmann::json details() const override { return {{"from", to_string(from_)}, {"to", to_string(c_.layout)}}; }

 private:
  DeviceProblem data_;
  Case c_;
  Layout from_;
  int element_bytes_;
  DeviceBuffer source_;
};

class TransformBackend final : public Backend {
 public:
  std::string name() const override { return "transform"; }
  std::string summary() const override {
    return "a layer's input changed from one layout to the case's (NCHW, NHWC, CHWN), one tiled transpose";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::transform}; }
  std::vector<ParamDef> params() const override {
    return {{"from", {"NCHW", "NHWC", "CHWN"}, "the layout the tensor is in; the case's layout is the one it goes to"}};
  }
  // A sweep crosses `from` with its layouts: the points where they are equal move nothing and are no case.
  bool applies(const Case& c) const override { return Backend::applies(c) && param(c, "from") != to_string(c.layout); }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (param(c, "from") == to_string(c.layout))
      return Unsupported{"layout", "a transform from " + to_string(c.layout) + " to itself moves nothing"};
    return refuse_tf32_outside_conv(c);
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<TransformOp>(c, data, *parse_layout(param(c, "from")));
  }
};

}  // namespace

std::unique_ptr<Backend> make_transform_backend() { return std::make_unique<TransformBackend>(); }

}  // namespace scb
