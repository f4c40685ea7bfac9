#include "harness/measure/counters.hpp"

#include <cuda.h>
#include <cuda_runtime.h>
#include <cupti.h>
#include <cupti_profiler_host.h>
#include <cupti_profiler_target.h>
#include <cupti_range_profiler.h>
#include <cupti_target.h>

#include <sstream>

#include "harness/measure/cupti_errors.hpp"

namespace scb {

namespace {

constexpr std::size_t kMaxRanges = 256;  // kernel launches one op may make

// The current CUDA context, through the runtime's driver entry points: CI machines have no libcuda to link.
CUcontext current_context() {
  using GetCurrent = CUresult (*)(CUcontext*);
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult found{};
  CUcontext context = nullptr;
  if (cudaGetDriverEntryPointByVersion("cuCtxGetCurrent", &fn, 12000, cudaEnableDefault, &found) != cudaSuccess ||
      found != cudaDriverEntryPointSuccess || reinterpret_cast<GetCurrent>(fn)(&context) != CUDA_SUCCESS)
    return nullptr;
  return context;
}

// A CUPTI params struct: zeroed, with its size set (pPriv stays NULL).
template <class Params>
Params params(std::size_t struct_size) {
  Params p{};
  p.structSize = struct_size;
  return p;
}

std::vector<const char*> c_names(const std::vector<std::string>& metrics) {
  std::vector<const char*> names;
  for (const auto& m : metrics) names.push_back(m.c_str());
  return names;
}

// A Host API object for one chip, configured with a metric list.
class HostObject {
 public:
  HostObject(const std::string& chip, const std::uint8_t* availability) {
    auto p = params<CUpti_Profiler_Host_Initialize_Params>(CUpti_Profiler_Host_Initialize_Params_STRUCT_SIZE);
    p.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
    p.pChipName = chip.c_str();
    p.pCounterAvailabilityImage = availability;
    status_ = cuptiProfilerHostInitialize(&p);
    object_ = status_ == CUPTI_SUCCESS ? p.pHostObject : nullptr;
  }
  ~HostObject() {
    if (!object_) return;
    auto p = params<CUpti_Profiler_Host_Deinitialize_Params>(CUpti_Profiler_Host_Deinitialize_Params_STRUCT_SIZE);
    p.pHostObject = object_;
    cuptiProfilerHostDeinitialize(&p);
  }
  HostObject(const HostObject&) = delete;
  HostObject& operator=(const HostObject&) = delete;
  CUptiResult status() const { return status_; }
  CUpti_Profiler_Host_Object* get() const { return object_; }

  CUptiResult add(std::vector<const char*>& names) const {
    auto p =
        params<CUpti_Profiler_Host_ConfigAddMetrics_Params>(CUpti_Profiler_Host_ConfigAddMetrics_Params_STRUCT_SIZE);
    p.pHostObject = object_;
    p.ppMetricNames = names.data();
    p.numMetrics = names.size();
    return cuptiProfilerHostConfigAddMetrics(&p);
  }
  // The config image of the added metrics and its pass count.
  CUptiResult config(std::vector<std::uint8_t>& image, int& passes) const {
    auto size = params<CUpti_Profiler_Host_GetConfigImageSize_Params>(
        CUpti_Profiler_Host_GetConfigImageSize_Params_STRUCT_SIZE);
    size.pHostObject = object_;
    if (const CUptiResult r = cuptiProfilerHostGetConfigImageSize(&size); r != CUPTI_SUCCESS) return r;
    image.assign(size.configImageSize, 0);
    auto get = params<CUpti_Profiler_Host_GetConfigImage_Params>(CUpti_Profiler_Host_GetConfigImage_Params_STRUCT_SIZE);
    get.pHostObject = object_;
    get.configImageSize = image.size();
    get.pConfigImage = image.data();
    if (const CUptiResult r = cuptiProfilerHostGetConfigImage(&get); r != CUPTI_SUCCESS) return r;
    auto count =
        params<CUpti_Profiler_Host_GetNumOfPasses_Params>(CUpti_Profiler_Host_GetNumOfPasses_Params_STRUCT_SIZE);
    count.configImageSize = image.size();
    count.pConfigImage = image.data();
    const CUptiResult r = cuptiProfilerHostGetNumOfPasses(&count);
    passes = int(count.numOfPasses);
    return r;
  }

 private:
  CUptiResult status_ = CUPTI_SUCCESS;
  CUpti_Profiler_Host_Object* object_ = nullptr;
};

// Which of `metrics` the chip does not know (each tried on its own).
std::vector<std::string> unknown_metrics(const std::string& chip, const std::vector<std::string>& metrics) {
  std::vector<std::string> unknown;
  for (const auto& m : metrics) {
    HostObject host(chip, nullptr);
    std::vector<const char*> one{m.c_str()};
    if (host.status() == CUPTI_SUCCESS && host.add(one) != CUPTI_SUCCESS) unknown.push_back(m);
  }
  return unknown;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool profiler_initialized = false;

}  // namespace

const std::vector<std::string>& lean_metrics() {
  static const std::vector<std::string> metrics{"dram__bytes_read.sum",
                                                "dram__bytes_write.sum",
                                                "lts__t_bytes.sum",
                                                "sm__inst_executed_pipe_fma.sum",
                                                "sm__inst_executed_pipe_tensor.sum",
                                                "sm__warps_active.avg.pct_of_peak_sustained_active",
                                                "sm__cycles_elapsed.avg.per_second",
                                                "gpu__time_duration.sum"};
  return metrics;
}

std::vector<std::string> parse_counter_choice(const std::string& text) {
  if (text == "off" || text.empty()) return {};
  if (text == "lean") return lean_metrics();
  std::vector<std::string> metrics;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) metrics.push_back(item);
  return metrics;
}

MetricCheck check_metrics(const std::string& chip, const std::vector<std::string>& metrics) {
  MetricCheck check;
  HostObject host(chip, nullptr);
  if (host.status() != CUPTI_SUCCESS) {
    check.error = cupti_failure("cuptiProfilerHostInitialize", host.status()) + " for chip " + chip;
    return check;
  }
  std::vector<const char*> names = c_names(metrics);
  if (host.add(names) != CUPTI_SUCCESS) {
    const auto unknown = unknown_metrics(chip, metrics);
    check.error = unknown.empty() ? "CUPTI rejects this metric set for chip " + chip
                                  : "unknown metric" + std::string(unknown.size() > 1 ? "s" : "") + " for chip " +
                                        chip + ": " + join_names(unknown);
    return check;
  }
  std::vector<std::uint8_t> image;
  if (const CUptiResult r = host.config(image, check.passes); r != CUPTI_SUCCESS)
    check.error = cupti_failure("cuptiProfilerHostGetConfigImage", r);
  return check;
}

std::vector<std::pair<std::string, double>> additive_totals(const std::vector<std::string>& metrics,
                                                            const std::vector<KernelCounters>& kernels) {
  std::vector<std::pair<std::string, double>> totals;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const std::string& m = metrics[i];
    if (m.size() < 4 || m.compare(m.size() - 4, 4, ".sum") != 0) continue;
    double total = 0;
    for (const auto& k : kernels)
      if (i < k.values.size()) total += k.values[i];
    totals.emplace_back(m, total);
  }
  return totals;
}

struct CounterSession::Host {
  explicit Host(const std::string& chip, const std::uint8_t* availability) : object(chip, availability) {}
  HostObject object;
  std::vector<std::uint8_t> availability;
};

std::unique_ptr<CounterSession> CounterSession::open(int device, const std::vector<std::string>& metrics,
                                                     std::string& why_not) {
  if (!profiler_initialized) {
    auto init = params<CUpti_Profiler_Initialize_Params>(CUpti_Profiler_Initialize_Params_STRUCT_SIZE);
    if (const CUptiResult r = cuptiProfilerInitialize(&init); r != CUPTI_SUCCESS) {
      why_not = cupti_failure("cuptiProfilerInitialize", r);
      return nullptr;
    }
    profiler_initialized = true;
  }
  auto chip = params<CUpti_Device_GetChipName_Params>(CUpti_Device_GetChipName_Params_STRUCT_SIZE);
  chip.deviceIndex = std::size_t(device);
  if (const CUptiResult r = cuptiDeviceGetChipName(&chip); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiDeviceGetChipName", r);
    return nullptr;
  }
  std::unique_ptr<CounterSession> session(new CounterSession());
  session->chip_ = chip.pChipName;
  auto available =
      params<CUpti_Profiler_GetCounterAvailability_Params>(CUpti_Profiler_GetCounterAvailability_Params_STRUCT_SIZE);
  available.ctx = nullptr;  // the current context
  if (const CUptiResult r = cuptiProfilerGetCounterAvailability(&available); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiProfilerGetCounterAvailability", r);
    return nullptr;
  }
  std::vector<std::uint8_t> availability(available.counterAvailabilityImageSize);
  available.pCounterAvailabilityImage = availability.data();
  if (const CUptiResult r = cuptiProfilerGetCounterAvailability(&available); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiProfilerGetCounterAvailability", r);
    return nullptr;
  }
  session->host_ = std::make_unique<Host>(session->chip_, availability.data());
  session->host_->availability = std::move(availability);
  if (session->host_->object.status() != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiProfilerHostInitialize", session->host_->object.status());
    return nullptr;
  }
  session->metrics_ = metrics;
  session->names_ = c_names(session->metrics_);
  if (session->host_->object.add(session->names_) != CUPTI_SUCCESS) {
    const auto unknown = unknown_metrics(session->chip_, metrics);
    why_not = unknown.empty() ? "CUPTI rejects this metric set on " + session->chip_
                              : "unknown metrics for " + session->chip_ + ": " + join_names(unknown);
    return nullptr;
  }
  if (const CUptiResult r = session->host_->object.config(session->config_, session->passes_); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiProfilerHostGetConfigImage", r);
    return nullptr;
  }
  // The profiler object lives as long as the session (it counts only between Start and Stop): enabling
  // and disabling it around each op cost ~1.5 s a case on the H100; once per session, ~0.07 s.
  CUcontext context = current_context();
  if (!context) {
    why_not = "no current CUDA context";
    return nullptr;
  }
  auto enable = params<CUpti_RangeProfiler_Enable_Params>(CUpti_RangeProfiler_Enable_Params_STRUCT_SIZE);
  enable.ctx = context;
  if (const CUptiResult r = cuptiRangeProfilerEnable(&enable); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiRangeProfilerEnable", r);
    return nullptr;
  }
  session->profiler_ = enable.pRangeProfilerObject;
  auto size =
      params<CUpti_RangeProfiler_GetCounterDataSize_Params>(CUpti_RangeProfiler_GetCounterDataSize_Params_STRUCT_SIZE);
  size.pRangeProfilerObject = session->profiler_;
  size.pMetricNames = session->names_.data();
  size.numMetrics = session->names_.size();
  size.maxNumOfRanges = kMaxRanges;
  size.maxNumRangeTreeNodes = kMaxRanges;
  if (const CUptiResult r = cuptiRangeProfilerGetCounterDataSize(&size); r != CUPTI_SUCCESS) {
    why_not = cupti_failure("cuptiRangeProfilerGetCounterDataSize", r);
    return nullptr;  // the destructor disables the profiler
  }
  session->counter_data_size_ = size.counterDataSize;
  return session;
}

CounterSession::~CounterSession() {
  if (!profiler_) return;
  auto p = params<CUpti_RangeProfiler_Disable_Params>(CUpti_RangeProfiler_Disable_Params_STRUCT_SIZE);
  p.pRangeProfilerObject = profiler_;
  cuptiRangeProfilerDisable(&p);
}

std::optional<CounterReading> CounterSession::read(const std::function<void()>& enqueue_and_sync,
                                                   std::string& why_not) {
  const auto fail = [&](const char* call, CUptiResult r) -> std::optional<CounterReading> {
    why_not = cupti_failure(call, r);
    return std::nullopt;
  };
  std::vector<std::uint8_t> data(counter_data_size_);
  auto init = params<CUpti_RangeProfiler_CounterDataImage_Initialize_Params>(
      CUpti_RangeProfiler_CounterDataImage_Initialize_Params_STRUCT_SIZE);
  init.pRangeProfilerObject = profiler_;
  init.counterDataSize = data.size();
  init.pCounterData = data.data();
  if (const CUptiResult r = cuptiRangeProfilerCounterDataImageInitialize(&init); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerCounterDataImageInitialize", r);
  auto config = params<CUpti_RangeProfiler_SetConfig_Params>(CUpti_RangeProfiler_SetConfig_Params_STRUCT_SIZE);
  config.pRangeProfilerObject = profiler_;
  config.configSize = config_.size();
  config.pConfig = config_.data();
  config.counterDataImageSize = data.size();
  config.pCounterDataImage = data.data();
  config.range = CUPTI_AutoRange;
  // User replay: the op runs once per pass (ops are idempotent). Kernel replay would save and restore
  // all device memory around every kernel, even for a one-pass set (~0.3 s per op in a CUPTI probe).
  config.replayMode = CUPTI_UserReplay;
  config.maxRangesPerPass = kMaxRanges;
  config.numNestingLevels = 1;
  config.minNestingLevel = 1;
  config.passIndex = 0;
  config.targetNestingLevel = 1;
  if (const CUptiResult r = cuptiRangeProfilerSetConfig(&config); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerSetConfig", r);

  auto start = params<CUpti_RangeProfiler_Start_Params>(CUpti_RangeProfiler_Start_Params_STRUCT_SIZE);
  start.pRangeProfilerObject = profiler_;
  auto stop = params<CUpti_RangeProfiler_Stop_Params>(CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE);
  stop.pRangeProfilerObject = profiler_;
  do {  // one op execution per pass
    if (const CUptiResult r = cuptiRangeProfilerStart(&start); r != CUPTI_SUCCESS)
      return fail("cuptiRangeProfilerStart", r);
    enqueue_and_sync();
    if (const CUptiResult r = cuptiRangeProfilerStop(&stop); r != CUPTI_SUCCESS)
      return fail("cuptiRangeProfilerStop", r);
  } while (!stop.isAllPassSubmitted);

  auto decode = params<CUpti_RangeProfiler_DecodeData_Params>(CUpti_RangeProfiler_DecodeData_Params_STRUCT_SIZE);
  decode.pRangeProfilerObject = profiler_;
  if (const CUptiResult r = cuptiRangeProfilerDecodeData(&decode); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerDecodeData", r);
  if (decode.numOfRangeDropped > 0) {
    why_not = "the op launched more than " + std::to_string(kMaxRanges) + " kernels: some were not profiled";
    return std::nullopt;
  }
  auto info =
      params<CUpti_RangeProfiler_GetCounterDataInfo_Params>(CUpti_RangeProfiler_GetCounterDataInfo_Params_STRUCT_SIZE);
  info.pCounterDataImage = data.data();
  info.counterDataImageSize = data.size();
  if (const CUptiResult r = cuptiRangeProfilerGetCounterDataInfo(&info); r != CUPTI_SUCCESS)
    return fail("cuptiRangeProfilerGetCounterDataInfo", r);

  CounterReading reading;
  reading.metrics = metrics_;
  reading.passes = passes_;
  for (std::size_t range = 0; range < info.numTotalRanges; ++range) {
    KernelCounters kernel;
    kernel.values.assign(names_.size(), 0.0);
    auto eval = params<CUpti_Profiler_Host_EvaluateToGpuValues_Params>(
        CUpti_Profiler_Host_EvaluateToGpuValues_Params_STRUCT_SIZE);
    eval.pHostObject = host_->object.get();
    eval.pCounterDataImage = data.data();
    eval.counterDataImageSize = data.size();
    eval.rangeIndex = range;
    eval.ppMetricNames = names_.data();
    eval.numMetrics = names_.size();
    eval.pMetricValues = kernel.values.data();
    if (const CUptiResult r = cuptiProfilerHostEvaluateToGpuValues(&eval); r != CUPTI_SUCCESS)
      return fail("cuptiProfilerHostEvaluateToGpuValues", r);
    reading.kernels.push_back(std::move(kernel));
  }
  reading.op_totals = additive_totals(reading.metrics, reading.kernels);
  return reading;
}

}  // namespace scb
