#pragma once
// What the result was measured on and with: tool, GPU, driver and library versions, host.
#include <nlohmann/json.hpp>

#include "harness/report/roofline.hpp"

namespace scb {

class GpuContext;
class Nvml;

nlohmann::json tool_info();
std::string compiler_name();
// SMs, compute capability, memory clock and bus width from CUDA; the SM clock from NVML now, or the
// maximum clock where NVML is missing.
DeviceCeilings read_device_ceilings(GpuContext& gpu, const Nvml* nvml);
nlohmann::json collect_environment(GpuContext& gpu, const Nvml* nvml);

}  // namespace scb
