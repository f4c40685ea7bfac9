#include "harness/run/case_runner.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "harness/gpu/gpu_context.hpp"
#include "harness/backends/registry.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/measure/timing_engine.hpp"
#include "harness/report/console.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "harness/verify/reference.hpp"
#include "harness/gpu/timing_probes.hpp"
#include "harness/tune/candidate_ranking.hpp"

namespace scb {

namespace {

// Adds the wall time of its scope to a PassSeconds field.
class PassTimer {
 public:
  explicit PassTimer(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~PassTimer() { total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  PassTimer(const PassTimer&) = delete;
  PassTimer& operator=(const PassTimer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

// The weights in the case's layout and storage; pooling and softmax layers have none.
std::vector<std::byte> weight_bytes(const Case& c, const HostProblem& host, StorageType storage) {
  if (c.layer.op != LayerOp::conv) return {};
  const Layer& l = c.layer;
  return encode_weights(host.weights, l.K, l.channels_per_group(), l.R, l.S, c.layout, storage);
}

}  // namespace

std::string describe(const PassSeconds& s) {
  char text[256];
  std::snprintf(text, sizeof text,
                "data+reference %.1f s, prepare %.1f s, verify %.1f s, timing %.1f s, kernel scope %.1f s, "
                "counters %.1f s, energy %.1f s",
                s.data, s.prepare, s.verify, s.timing, s.kernel_scope, s.counters, s.energy);
  return text;
}

// Per storage type: the host problem and its reference.
struct CaseRunner::PreparedData {
  HostProblem host;
  ReferenceOutput reference;                  // the convolution's
  std::optional<std::vector<double>> pooled;  // ReLU + max-pool of it, made on the first fuse: pool case
  const std::vector<double>& expected(const Case& c) const { return c.fuse == Fuse::pool ? *pooled : reference.values; }
};

// Per (storage, layout): the weights on the GPU, and the input they are used with (owned by input_uploads_).
struct CaseRunner::UploadedData {
  const void* input = nullptr;
  DeviceBuffer weights;
};

CaseRunner::CaseRunner(std::uint64_t seed, MeasureSettings settings, bool verify_only, TuningOptions tuning)
    : seed_(seed),
      settings_(settings),
      verify_only_(verify_only),
      gpu_(0),
      l2_flush_(std::size_t(gpu_.properties().l2CacheSize)),
      tuning_options_(std::move(tuning)),
      cache_(tuning_options_.cache_file) {
  char bus_id[32] = {};
  SCB_CUDA(cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, gpu_.device()));
  nvml_ = Nvml::open(bus_id, &nvml_missing_);
  engine_ = std::make_unique<TimingEngine>(gpu_.stream(), l2_flush_, nvml_.get());
  ceilings_ = read_device_ceilings(gpu_, nvml_.get());
  environment_ = collect_environment(gpu_, nvml_.get());
  if (const auto metrics = parse_counter_choice(settings_.counters); !metrics.empty()) {
    counters_ = CounterSession::open(gpu_.device(), metrics, counters_missing_);
    counters_misnamed_ = !counters_ && counters_missing_.rfind("unknown metric", 0) == 0;
  }
}

CaseRunner::~CaseRunner() = default;

nlohmann::json CaseRunner::environment() {
  nlohmann::json environment = environment_;
  environment["timing_floor"] = timing_floor();
  environment["copy_bandwidth"] = copy_bandwidth();
  return environment;
}

// A 256 MiB device-to-device copy timed as every case is: the bandwidth a memory-bound op can reach (Li et
// al.'s yardstick for pooling and softmax). Measured once; every case timed afterwards gets its fraction.
nlohmann::json CaseRunner::copy_bandwidth() {
  if (verify_only_) return {{"unavailable", "a verify-only run times nothing"}};
  constexpr std::size_t kBytes = std::size_t(256) << 20;
  if (ceilings_.measured_copy_gbs <= 0) {
    DeviceBuffer from(kBytes), to(kBytes);
    SCB_CUDA(cudaMemset(from.get(), 1, kBytes));
    const Op copy = [&](cudaStream_t stream) {
      SCB_CUDA(cudaMemcpyAsync(to.get(), from.get(), kBytes, cudaMemcpyDeviceToDevice, stream));
    };
    copy_median_us_ = engine_->measure(copy, settings_).stats.median;
    ceilings_.measured_copy_gbs = 2.0 * double(kBytes) / (copy_median_us_ * 1e3);
  }
  return {{"op", "cudaMemcpyAsync device to device"},
          {"bytes_copied", kBytes},
          {"median_us", copy_median_us_},
          {"gbs_read_plus_written", ceilings_.measured_copy_gbs}};
}

// An empty kernel timed as every case is: what a result near a few microseconds must be read against.
nlohmann::json CaseRunner::timing_floor() {
  if (verify_only_) return {{"unavailable", "a verify-only run times nothing"}};
  const Op empty = [](cudaStream_t stream) { SCB_CUDA(probes::launch_empty_kernel(stream)); };
  const TimingResult timed = engine_->measure(empty, settings_);
  nlohmann::json floor = {
      {"op", "empty kernel"},      {"scope", to_string(timed.scope)},        {"l2", timed.cold_l2 ? "cold" : "hot"},
      {"launch", timed.launch},    {"median_us", timed.stats.median},        {"p10_us", timed.stats.p10},
      {"p90_us", timed.stats.p90}, {"sample_count", timed.samples_us.size()}};
  std::string why_not;
  if (const auto trace = KernelTrace::open(why_not)) {
    const KernelScope traced = engine_->trace_kernels(empty, settings_, *trace, settings_.kernel_runs);
    floor["kernel_scope_median_us"] = traced.stats.median;
  } else {
    floor["kernel_scope_unavailable"] = why_not;
  }
  return floor;
}

CaseResult CaseRunner::run(const Case& c) {
  if (c.tune) return run_tuned(c);
  return run_with(c, settings_, true);
}

CaseResult CaseRunner::run_with(const Case& c, const MeasureSettings& timing, bool extra_passes) {
  CaseResult result;
  result.c = c;
  try {
    const PreparedData& data = data_for(c);
    result.derived = derive_figures(c, data.host.weight_density, data.host.activation_density, std::nullopt, ceilings_);
    const UploadedData& uploaded = uploaded_for(c, data.host);
    verify_then_time(c, data, uploaded, result, timing, extra_passes);
  } catch (const std::exception& e) {
    result.status = CaseStatus::error;
    result.error = e.what();
    check_device_still_usable();
  }
  return result;
}

// Data points change often (every weight sparsity), inputs less often: inputs of up to 100M values (VGG
// conv1_2, N = 32) are made, encoded and uploaded once per input key, and only the weights per data point.
const CaseRunner::PreparedData& CaseRunner::data_for(const Case& c) {
  if (c.input_key() != input_key_) {
    inputs_.clear();
    input_uploads_.clear();
    input_key_ = c.input_key();
  }
  if (c.data_key() != data_key_) {
    data_.clear();
    uploads_.clear();
    data_key_ = c.data_key();
  }
  const StorageType storage = storage_of(c.precision);
  auto it = data_.find(storage);
  if (it == data_.end()) {
    PassTimer timer(pass_seconds_.data);
    auto input = inputs_.find(storage);
    if (input == inputs_.end()) input = inputs_.emplace(storage, make_input(c, seed_)).first;
    PreparedData prepared{make_problem(c, seed_, input->second), {}, {}};
    prepared.reference = reference_layer(c.layer, c.batch, prepared.host.input, prepared.host.weights, true);
    it = data_.emplace(storage, std::move(prepared)).first;
  }
  // Fused and unfused cases of a data point share one FP64 convolution; the pooled reference comes from it.
  if (c.fuse == Fuse::pool && !it->second.pooled) {
    PassTimer timer(pass_seconds_.data);
    it->second.pooled = relu_max_pool(it->second.reference.values, c.layer, c.batch);
  }
  return it->second;
}

const CaseRunner::UploadedData& CaseRunner::uploaded_for(const Case& c, const HostProblem& host) {
  const auto key = std::make_pair(storage_of(c.precision), c.layout);
  auto it = uploads_.find(key);
  if (it == uploads_.end()) {
    const Layer& l = c.layer;
    auto input = input_uploads_.find(key);
    if (input == input_uploads_.end()) {
      const auto encoded = encode_activations(host.input, c.batch, l.C, l.H, l.W, c.layout, key.first);
      DeviceBuffer buffer(encoded.size());
      SCB_CUDA(cudaMemcpy(buffer.get(), encoded.data(), encoded.size(), cudaMemcpyHostToDevice));
      input = input_uploads_.emplace(key, std::move(buffer)).first;
    }
    const auto weights = weight_bytes(c, host, key.first);
    UploadedData uploaded{input->second.get(), DeviceBuffer(weights.size())};
    SCB_CUDA(cudaMemcpy(uploaded.weights.get(), weights.data(), weights.size(), cudaMemcpyHostToDevice));
    it = uploads_.emplace(key, std::move(uploaded)).first;
  }
  return it->second;
}

// Each candidate timed by the run's own engine, with the run's L2 state and launch mode, in a short preset
// (tune/ decides which to time fully); fastest first. One candidate: nothing to time.
CaseRunner::CandidateOrder CaseRunner::candidate_order(PreparedOp& op) {
  if (op.candidate_count() <= 1) return {{0}, nlohmann::json()};
  MeasureSettings warm_up = settings_;
  warm_up.scope = TimingScope::gpu;
  warm_up.warmup_runs = 1;
  warm_up.min_samples = warm_up.max_samples = 1;
  MeasureSettings median = warm_up;
  median.warmup_runs = 2;
  median.min_samples = median.max_samples = 5;
  const Op timed = [&](cudaStream_t stream) { op.run(stream); };
  std::vector<nlohmann::json> entries(op.candidate_count());
  const auto time_with = [&](const MeasureSettings& preset, std::size_t i) {
    op.use_candidate(i);
    entries[i] = op.describe_candidate(i);
    return engine_->measure(timed, preset).stats.median;
  };
  const auto ranked = rank_candidates(
      op.candidate_count(), [&](std::size_t i) { return time_with(warm_up, i); },
      [&](std::size_t i) { return time_with(median, i); });
  CandidateOrder order{{}, nlohmann::json::array()};
  for (const auto& r : ranked) {
    order.indices.push_back(r.index);
    nlohmann::json entry = entries[r.index];
    entry[r.fully_timed ? "median_us" : "warmup_us"] = r.time_us;
    order.timing.push_back(entry);
  }
  return order;
}

// What papers that timed end to end put between their timers (Xu et al.'s ECR driver): allocating the
// op's input, weight and output buffers, copying input and weights in from pageable host memory, the op,
// copying the output out, freeing. The op keeps computing on its own buffers (prepared for them); the
// allocations are of the same sizes, so their cost is the same.
Op CaseRunner::end_to_end_op(const Case& c, const HostProblem& host, const DeviceProblem& problem, PreparedOp& op) {
  const Layer& l = c.layer;
  const StorageType storage = storage_of(c.precision);
  auto input = std::make_shared<std::vector<std::byte>>(
      encode_activations(host.input, c.batch, l.C, l.H, l.W, c.layout, storage));
  auto weights = std::make_shared<std::vector<std::byte>>(weight_bytes(c, host, storage));
  auto output = std::make_shared<std::vector<std::byte>>(std::size_t(c.output_count()) * bytes_per_element(storage));
  return [input, weights, output, problem, &op](cudaStream_t stream) {
    void *in = nullptr, *w = nullptr, *out = nullptr;
    SCB_CUDA(cudaMalloc(&in, input->size()));
    SCB_CUDA(cudaMalloc(&w, weights->size()));
    SCB_CUDA(cudaMalloc(&out, output->size()));
    SCB_CUDA(cudaMemcpyAsync(const_cast<void*>(problem.input), input->data(), input->size(), cudaMemcpyHostToDevice,
                             stream));
    SCB_CUDA(cudaMemcpyAsync(const_cast<void*>(problem.weights), weights->data(), weights->size(),
                             cudaMemcpyHostToDevice, stream));
    op.run(stream);
    SCB_CUDA(cudaMemcpyAsync(output->data(), problem.output, output->size(), cudaMemcpyDeviceToHost, stream));
    SCB_CUDA(cudaStreamSynchronize(stream));
    SCB_CUDA(cudaFree(in));
    SCB_CUDA(cudaFree(w));
    SCB_CUDA(cudaFree(out));
  };
}

void CaseRunner::verify_then_time(const Case& c, const PreparedData& data, const UploadedData& uploaded,
                                  CaseResult& result, const MeasureSettings& timing, bool extra_passes) {
  const Layer& l = c.layer;
  const StorageType storage = storage_of(c.precision);
  const std::size_t output_bytes = std::size_t(c.output_count()) * bytes_per_element(storage);
  DeviceBuffer output(output_bytes);
  const DeviceProblem problem{data.host, uploaded.input, uploaded.weights.get(), output.get()};
  const Backend* backend = find_backend(c.backend);

  const auto prepare_start = std::chrono::steady_clock::now();
  auto op = backend->prepare(gpu_, c, problem);
  // The whole device, not just our stream: prepare may work on the legacy default stream (cudaMemset,
  // library calls), which our non-blocking stream does not wait for. Escort's zeroing of its padded
  // input once landed after the op's first run and zeroed its output (dong2020 vgg-conv2, N = 64).
  SCB_CUDA(cudaDeviceSynchronize());
  // The candidates' timing is the op's algorithm search: it counts as prepare.
  const CandidateOrder order = candidate_order(*op);
  result.prepare_us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - prepare_start).count();
  pass_seconds_.prepare += *result.prepare_us * 1e-6;

  result.verify.checked = true;
  result.verify.reference = data.reference.kind;
  result.verify.tolerance = tolerance_for(c.precision);
  // Kept between cases: a fresh 400 MB buffer per case (VGG-19 conv1_2, N = 32) costs its zeroing and page faults.
  std::vector<std::byte>& raw = output_host_;
  raw.resize(output_bytes);
  {
    PassTimer timer(pass_seconds_.verify);
    // The fastest candidate whose output verifies (cuDNN's Winograd fails fp32 on 5x5 filters); the others
    // are recorded as rejected.
    nlohmann::json rejected = nlohmann::json::array();
    for (const std::size_t candidate : order.indices) {
      op->use_candidate(candidate);
      // All-ones bytes are NaN in fp32, fp16 and bf16: any output the op does not write stays NaN.
      SCB_CUDA(cudaMemsetAsync(output.get(), 0xFF, output_bytes, gpu_.stream()));
      op->run(gpu_.stream());
      SCB_CUDA(cudaStreamSynchronize(gpu_.stream()));
      SCB_CUDA(cudaMemcpy(raw.data(), output.get(), output_bytes, cudaMemcpyDeviceToHost));
      result.verify.metrics = compare_raw_output(data.expected(c), raw, c.batch, l.K, c.output_height(),
                                                 c.output_width(), c.layout, storage);
      result.verify.passed = within_tolerance(result.verify.metrics, result.verify.tolerance);
      if (result.verify.passed) break;
      if (order.indices.size() > 1) {
        nlohmann::json entry = op->describe_candidate(candidate);
        entry["failure"] = describe_failure(result.verify.metrics, result.verify.tolerance);
        rejected.push_back(entry);
      }
    }
    result.backend_details = op->details();
    if (!order.timing.is_null()) result.backend_details["own_timing"] = order.timing;
    if (!rejected.empty()) result.backend_details["rejected_algorithms"] = rejected;
  }
  if (!result.verify.passed) {
    result.status = CaseStatus::incorrect;
    result.error = describe_failure(result.verify.metrics, result.verify.tolerance);
    return;  // never timed
  }
  if (verify_only_) {
    result.status = CaseStatus::verified;
    return;
  }
  const Op timed = [&](cudaStream_t stream) { op->run(stream); };
  {
    PassTimer timer(pass_seconds_.timing);
    if (timing.scope == TimingScope::end_to_end)
      result.timing = engine_->measure(end_to_end_op(c, data.host, problem, *op), timing);
    else
      result.timing = engine_->measure(timed, timing);
  }
  if (!extra_passes) {  // a tuning evaluation: the median is all it needs
    result.status = CaseStatus::ok;
    return;
  }
  if (settings_.scope == TimingScope::gpu && settings_.kernel_scope) {
    PassTimer timer(pass_seconds_.kernel_scope);
    std::string why_not;
    if (const auto trace = KernelTrace::open(why_not))
      result.kernel_timing = engine_->trace_kernels(timed, settings_, *trace, settings_.kernel_runs);
    else
      result.kernel_timing = Unavailable{why_not};
  }
  if (counters_) {
    PassTimer timer(pass_seconds_.counters);
    std::string why_not;
    const auto reading = counters_->read(
        [&] {
          op->run(gpu_.stream());
          SCB_CUDA(cudaStreamSynchronize(gpu_.stream()));
        },
        why_not);
    if (reading) {
      result.counters = *reading;
      result.counters_chip = counters_->chip();
    } else {
      result.counters = Unavailable{why_not};
    }
  } else if (!counters_missing_.empty()) {
    result.counters = Unavailable{counters_missing_};
  }
  if (settings_.energy_s > 0) {
    PassTimer timer(pass_seconds_.energy);
    std::string why_not;
    if (const auto energy = engine_->measure_energy(timed, settings_.energy_s, why_not))
      result.energy = *energy;
    else
      result.energy = Unavailable{why_not};
  }
  result.derived =
      derive_figures(c, data.host.weight_density, data.host.activation_density, result.timing->stats.median, ceilings_);
  result.status = CaseStatus::ok;
}

// After a failure, a sticky CUDA error (e.g. an illegal address) poisons the context for good.
void CaseRunner::check_device_still_usable() {
  const cudaError_t status = cudaDeviceSynchronize();
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();  // clears an ordinary error; a sticky one survives
  if (cudaDeviceSynchronize() != cudaSuccess)
    throw GpuError(std::string("the GPU context is unusable after a failed case (") + cudaGetErrorString(status) +
                   "); results so far are saved, rerun with --resume");
}

}  // namespace scb
