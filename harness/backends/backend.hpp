#pragma once
// The Backend interface: one way to compute a convolution's forward pass.
// Adding a backend is one adapter file here (defining make_<name>_backend()), its source in the
// scbench_backends library (CMakeLists.txt) and its line in registry.cpp; plus its kernel in kernels/
// and its tests.
#include <cuda_runtime.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/spec/case.hpp"
#include "harness/data/problem_data.hpp"
#include "kernels/conv_shape.hpp"

namespace scb {

class GpuContext;

// A rule between a backend's params that their legal values alone do not express.
struct ParamConstraint {
  std::string rule;  // in words, as `list backends` prints it
  // True when the rule holds; `value` gives each param's value (or its default).
  std::function<bool(const std::function<std::string(const std::string&)>& value)> holds;
};

struct ParamDef {
  std::string name;
  std::vector<std::string> values;  // legal values; the first is the default
  std::string description;
};

// A case's data on the GPU, already in the case's layout and storage type.
struct DeviceProblem {
  const HostProblem& host;  // logical data, for backends that build sparse formats in prepare
  const void* input = nullptr;
  const void* weights = nullptr;
  void* output = nullptr;
};

// The op a backend prepared for one case: run() enqueues the whole timed op on `stream`.
class PreparedOp {
 public:
  virtual ~PreparedOp() = default;
  virtual void run(cudaStream_t stream) = 0;
  // Choices made in prepare (chosen algorithm, workspace bytes, ...), recorded in the result.
  virtual nlohmann::json details() const { return nlohmann::json::object(); }
  // An op may hold several candidates that compute the same result (cuDNN's algorithms). The backend only
  // proposes them: the runner times each with the run's own timing engine, tune/ ranks them, and the
  // fastest whose output verifies is used. Candidate 0 is the one in use after prepare.
  virtual std::size_t candidate_count() const { return 1; }
  virtual nlohmann::json describe_candidate(std::size_t index) const { return nlohmann::json::object(); }
  virtual void use_candidate(std::size_t index) {}
};

// The case's convolution as our kernels take it (direct_sparse, codegen, ecr, pecr).
kernels::ConvShape conv_shape(const Case& c);

// Why a backend cannot run a case: the case field that decides it (an exclude rule's key: backend,
// precision, layout, mask, layer, batch) and the reason in words.
struct Unsupported {
  std::string field;
  std::string reason;
};

// The refusals the pooling, softmax and transform backends share: tf32 (a convolution's math mode), and for
// a softmax CHWN (its N x classes tensor is the same bytes in NCHW and NHWC, transposed in CHWN).
std::optional<Unsupported> refuse_tf32_outside_conv(const Case& c);
std::optional<Unsupported> refuse_softmax_layouts(const Case& c);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual std::vector<ParamDef> params() const { return {}; }
  virtual std::vector<ParamConstraint> constraints() const { return {}; }
  // Whether it can time fuse: pool cases (conv, ReLU and the layer's max-pool as one op, writing the pooled
  // output); the plan refuses such cases for every other backend.
  virtual bool fuses_pool() const { return false; }
  // The kinds of layer it computes.
  virtual std::set<LayerOp> ops() const { return {LayerOp::conv}; }
  // Whether a point of a sweep's cross product is a case for it at all (a sweep drops the others silently):
  // a layer of one of its ops.
  virtual bool applies(const Case& c) const { return ops().count(c.layer.op) > 0; }
  // Why this backend cannot run the case, decided without a GPU; nothing if it can.
  virtual std::optional<Unsupported> unsupported(const Case& c) const = 0;
  // May leave work queued on any stream, the legacy default one included: the caller synchronizes the
  // device before the first run().
  virtual std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const = 0;

  // Unknown names, illegal values and broken constraints in `params`, checked against params().
  std::optional<std::string> check_params(const Params& params) const;
  // The value of a param, or its default.
  std::string param(const Case& c, const std::string& name) const;
};

class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scb
