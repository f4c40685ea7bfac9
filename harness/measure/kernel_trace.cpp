#include "harness/measure/kernel_trace.hpp"

#include <cupti.h>
#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "harness/measure/cupti_errors.hpp"

namespace scb {

namespace {

constexpr std::size_t kBufferBytes = 4 << 20;
constexpr CUpti_ExternalCorrelationKind kCorrelationKind = CUPTI_EXTERNAL_CORRELATION_KIND_CUSTOM0;
// CUPTI writes an external-correlation record only beside an API record: the runtime and driver
// kinds must be on for kernels to be matched to our execution ids (their own records are skipped).
constexpr CUpti_ActivityKind kTracedKinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL,
                                               CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION, CUPTI_ACTIVITY_KIND_RUNTIME,
                                               CUPTI_ACTIVITY_KIND_DRIVER};

// What the buffer callbacks collect; CUPTI calls them from its own thread.
struct Sink {
  std::mutex mutex;
  std::map<std::uint32_t, std::uint64_t> external_of;                  // CUPTI correlation id -> our execution id
  std::vector<std::pair<std::uint32_t, KernelTrace::Traced>> kernels;  // correlation id, kernel
  std::size_t dropped = 0;
};

Sink& sink() {
  static Sink s;
  return s;
}

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;
}

void CUPTIAPI buffer_completed(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid_size) {
  std::vector<std::pair<std::uint32_t, KernelTrace::Traced>> kernels;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> correlations;
  CUpti_Activity* record = nullptr;
  while (cuptiActivityGetNextRecord(buffer, valid_size, &record) == CUPTI_SUCCESS) {
    if (record->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL || record->kind == CUPTI_ACTIVITY_KIND_KERNEL) {
      const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
      KernelTrace::Traced t;
      t.launch.name = demangle(k->name);
      t.launch.grid = {k->gridX, k->gridY, k->gridZ};
      t.launch.block = {k->blockX, k->blockY, k->blockZ};
      t.launch.registers_per_thread = k->registersPerThread;
      t.launch.static_shared_bytes = k->staticSharedMemory;
      t.launch.dynamic_shared_bytes = k->dynamicSharedMemory;
      t.start_ns = k->start;
      t.end_ns = k->end;
      t.launch.duration_us = double(k->end - k->start) / 1000.0;
      kernels.emplace_back(k->correlationId, std::move(t));
    } else if (record->kind == CUPTI_ACTIVITY_KIND_EXTERNAL_CORRELATION) {
      const auto* e = reinterpret_cast<const CUpti_ActivityExternalCorrelation*>(record);
      if (e->externalKind == kCorrelationKind) correlations.emplace_back(e->correlationId, e->externalId);
    }
  }
  size_t dropped = 0;
  cuptiActivityGetNumDroppedRecords(nullptr, 0, &dropped);
  std::free(buffer);
  Sink& s = sink();
  std::lock_guard<std::mutex> lock(s.mutex);
  for (auto& k : kernels) s.kernels.push_back(std::move(k));
  for (const auto& [correlation, external] : correlations) s.external_of[correlation] = external;
  s.dropped += dropped;
}

}  // namespace

std::unique_ptr<KernelTrace> KernelTrace::open(std::string& why_not) {
  static bool callbacks_registered = false;
  if (!callbacks_registered) {
    const CUptiResult r = cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed);
    if (r != CUPTI_SUCCESS) {
      why_not = cupti_failure("cuptiActivityRegisterCallbacks", r);
      return nullptr;
    }
    callbacks_registered = true;
  }
  for (const CUpti_ActivityKind kind : kTracedKinds) {
    const CUptiResult r = cuptiActivityEnable(kind);
    if (r != CUPTI_SUCCESS) {
      why_not = cupti_failure("cuptiActivityEnable", r);
      for (const CUpti_ActivityKind enabled : kTracedKinds) cuptiActivityDisable(enabled);
      return nullptr;
    }
  }
  {
    Sink& s = sink();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.kernels.clear();
    s.external_of.clear();
    s.dropped = 0;
  }
  return std::unique_ptr<KernelTrace>(new KernelTrace());
}

KernelTrace::~KernelTrace() {
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  for (const CUpti_ActivityKind kind : kTracedKinds) cuptiActivityDisable(kind);
}

void KernelTrace::begin(std::uint64_t id) { cuptiActivityPushExternalCorrelationId(kCorrelationKind, id); }

void KernelTrace::end() {
  std::uint64_t last = 0;
  cuptiActivityPopExternalCorrelationId(kCorrelationKind, &last);
}

std::vector<std::pair<std::uint64_t, std::vector<KernelTrace::Traced>>> KernelTrace::collect() {
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  Sink& s = sink();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::map<std::uint64_t, std::vector<Traced>> by_execution;
  for (auto& [correlation, kernel] : s.kernels) {
    const auto it = s.external_of.find(correlation);
    if (it != s.external_of.end()) by_execution[it->second].push_back(std::move(kernel));
  }
  s.kernels.clear();
  s.external_of.clear();
  std::vector<std::pair<std::uint64_t, std::vector<Traced>>> out;
  for (auto& [id, kernels] : by_execution) {
    std::sort(kernels.begin(), kernels.end(), [](const Traced& a, const Traced& b) { return a.start_ns < b.start_ns; });
    out.emplace_back(id, std::move(kernels));
  }
  return out;
}

std::uint64_t union_length_ns(std::vector<std::pair<std::uint64_t, std::uint64_t>> intervals) {
  std::sort(intervals.begin(), intervals.end());
  std::uint64_t total = 0, open_start = 0, open_end = 0;
  bool open = false;
  for (const auto& [start, end] : intervals) {
    if (end <= start) continue;
    if (!open || start > open_end) {
      if (open) total += open_end - open_start;
      open_start = start;
      open_end = end;
      open = true;
    } else {
      open_end = std::max(open_end, end);
    }
  }
  if (open) total += open_end - open_start;
  return total;
}

std::string demangle(const char* name) {
  if (!name) return "";
  int status = 0;
  char* plain = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || !plain) return name;
  std::string out(plain);
  std::free(plain);
  return out;
}

KernelScope summarize_trace(const std::vector<std::pair<std::uint64_t, std::vector<KernelTrace::Traced>>>& traced) {
  KernelScope scope;
  for (const auto& [id, kernels] : traced) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> intervals;
    for (const auto& k : kernels) intervals.emplace_back(k.start_ns, k.end_ns);
    scope.samples_us.push_back(double(union_length_ns(intervals)) / 1000.0);
  }
  if (!traced.empty())
    for (const auto& k : traced.back().second) scope.kernels.push_back(k.launch);
  scope.stats = summarize(scope.samples_us);
  return scope;
}

}  // namespace scb
