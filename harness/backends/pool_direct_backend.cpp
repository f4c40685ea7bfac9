// Our pooling layers (kernels/pool.cu), Li et al.'s (SC16) answer to the pooling question, against
// cudnn_pool: NCHW staged through shared memory, NHWC and CHWN a vector of the innermost dimension a thread.
// The timed op is the one kernel.
#include <algorithm>

#include "harness/backends/backend.hpp"
#include "harness/backends/kernel_types.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "kernels/pool.hpp"

namespace scb {

namespace {

kernels::PoolProblem pool_problem(const Case& c) {
  return {c.batch,     c.layer.C, c.layer.H,        c.layer.W,     c.layer.P(),
          c.layer.Q(), c.layer.R, c.layer.stride_h, c.layer.pad_h, c.layer.pool_mode == PoolMode::avg};
}

class PoolDirectOp final : public PreparedOp {
 public:
  PoolDirectOp(const Case& c, const DeviceProblem& data, int max_vector)
      : data_(data),
        problem_(pool_problem(c)),
        order_(tensor_order(c.layout)),
        element_(element_type(c.precision)),
        plan_(kernels::pool_plan(problem_, order_, element_, max_vector)) {}

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::pool_forward(data_.input, data_.output, problem_, order_, plan_, element_, stream));
  }

  nlohmann::json details() const override {
    if (plan_.staged) return {{"path", "NCHW staged in shared memory"}, {"vector", 1}};
    return {{"path", order_ == kernels::TensorOrder::nchw ? "NCHW from global memory (window rows too wide to stage)"
                                                          : "innermost dimension vectorized"},
            {"vector", plan_.vector}};
  }

 private:
  DeviceProblem data_;
  kernels::PoolProblem problem_;
  kernels::TensorOrder order_;
  kernels::ElementType element_;
  kernels::PoolPlan plan_;
};

class PoolDirectBackend final : public Backend {
 public:
  std::string name() const override { return "pool_direct"; }
  std::string summary() const override {
    return "our pooling layers (max, Caffe's average): NCHW staged through shared memory with coalesced loads; "
           "NHWC and CHWN a 16-byte vector of the innermost dimension (C or N) a thread";
  }
  std::set<LayerOp> ops() const override { return {LayerOp::pool}; }
  std::vector<ParamDef> params() const override {
    return {{"vector",
             {"auto", "1", "2", "4", "8"},
             "NHWC and CHWN: at most this many elements of the innermost dimension a thread (auto: 16 bytes); the "
             "widest power of two that divides that dimension is taken; no effect in NCHW, which stages rows"}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (auto why = refuse_tf32_outside_conv(c)) return why;
    const long long input = (long long)c.batch * c.layer.C * c.layer.H * c.layer.W;
    const long long output = (long long)c.batch * c.layer.C * c.layer.P() * c.layer.Q();
    if (std::max(input, output) > 0x7fffffffLL)
      return Unsupported{"batch", "pool_direct indexes with 32 bits: at most 2^31 - 1 elements a tensor"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    const std::string vector = param(c, "vector");
    return std::make_unique<PoolDirectOp>(c, data, vector == "auto" ? 0 : std::stoi(vector));
  }
};

}  // namespace

std::unique_ptr<Backend> make_pool_direct_backend() { return std::make_unique<PoolDirectBackend>(); }

}  // namespace scb
