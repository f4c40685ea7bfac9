#pragma once
// What the result was measured on and with: tool, GPU, driver and library versions, host.
#include <nlohmann/json.hpp>

namespace scb {

class GpuContext;
class Nvml;

nlohmann::json tool_info();
nlohmann::json collect_environment(GpuContext& gpu, const Nvml* nvml);

}  // namespace scb
