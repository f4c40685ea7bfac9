#include "harness/measure/cupti_errors.hpp"

namespace scb {

std::string cupti_failure(const char* call, CUptiResult result) {
  const char* text = nullptr;
  cuptiGetResultString(result, &text);
  std::string out = std::string(call) + ": " + (text ? text : "CUPTI error " + std::to_string(int(result)));
  if (result == CUPTI_ERROR_INSUFFICIENT_PRIVILEGES)
    out += " (profiling is restricted to administrators on this machine: NVreg_RestrictProfilingToAdminUsers)";
  else if (result == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
    out += " (another profiler, e.g. ncu or nsys, is attached)";
  else if (result == CUPTI_ERROR_NOT_SUPPORTED)
    out += " (not supported on this GPU)";
  return out;
}

}  // namespace scb
