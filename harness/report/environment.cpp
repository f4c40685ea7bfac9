#include "harness/report/environment.hpp"

#include <cupti.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/report/build_stamp.hpp"
#include "harness/measure/nvml.hpp"

namespace scb {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

}  // namespace

DeviceCeilings read_device_ceilings(GpuContext& gpu, const Nvml* nvml) {
  const cudaDeviceProp& p = gpu.properties();
  int max_clock_khz = 0, memory_clock_khz = 0, bus_width = 0;
  SCB_CUDA(cudaDeviceGetAttribute(&max_clock_khz, cudaDevAttrClockRate, gpu.device()));
  SCB_CUDA(cudaDeviceGetAttribute(&memory_clock_khz, cudaDevAttrMemoryClockRate, gpu.device()));
  SCB_CUDA(cudaDeviceGetAttribute(&bus_width, cudaDevAttrGlobalMemoryBusWidth, gpu.device()));
  std::optional<unsigned> clock_mhz;
  if (nvml) clock_mhz = nvml->sm_clock_mhz();
  return {p.multiProcessorCount,
          clock_mhz ? double(*clock_mhz) : max_clock_khz / 1000.0,
          p.major,
          p.minor,
          memory_clock_khz / 1000.0,
          bus_width};
}

// From the compiler's own macros: clang also defines __GNUC__, so it is asked first.
std::string compiler_name() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "g++ " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown compiler";
#endif
}

nlohmann::json tool_info() {
  return {{"name", "scbench"},
          {"version", SCBENCH_VERSION},
          {"git_commit", build_git_commit()},
          {"git_dirty", build_git_dirty()},
          {"build_type", SCBENCH_BUILD_TYPE},
          {"compiler", compiler_name()}};
}

nlohmann::json collect_environment(GpuContext& gpu, const Nvml* nvml) {
  const cudaDeviceProp& p = gpu.properties();
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  int cublas_major = 0, cublas_minor = 0, cublas_patch = 0;
  cublasGetProperty(MAJOR_VERSION, &cublas_major);
  cublasGetProperty(MINOR_VERSION, &cublas_minor);
  cublasGetProperty(PATCH_LEVEL, &cublas_patch);
  const std::size_t cudnn = cudnnGetVersion();
  std::uint32_t cupti_api = 0;
  cuptiGetVersion(&cupti_api);
  int cusparse_version = 0;
  cusparseGetVersion(gpu.cusparse(), &cusparse_version);
  char uuid[64];
  std::snprintf(uuid, sizeof uuid, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                (unsigned char)p.uuid.bytes[0], (unsigned char)p.uuid.bytes[1], (unsigned char)p.uuid.bytes[2],
                (unsigned char)p.uuid.bytes[3], (unsigned char)p.uuid.bytes[4], (unsigned char)p.uuid.bytes[5],
                (unsigned char)p.uuid.bytes[6], (unsigned char)p.uuid.bytes[7], (unsigned char)p.uuid.bytes[8],
                (unsigned char)p.uuid.bytes[9], (unsigned char)p.uuid.bytes[10], (unsigned char)p.uuid.bytes[11],
                (unsigned char)p.uuid.bytes[12], (unsigned char)p.uuid.bytes[13], (unsigned char)p.uuid.bytes[14],
                (unsigned char)p.uuid.bytes[15]);
  int sm_clock_khz = 0;
  cudaDeviceGetAttribute(&sm_clock_khz, cudaDevAttrClockRate, gpu.device());
  const DeviceCeilings ceilings = read_device_ceilings(gpu, nvml);
  char host[256] = {};
  gethostname(host, sizeof host - 1);

  nlohmann::json gpu_json = {{"name", p.name},
                             {"uuid", uuid},
                             {"compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor)},
                             {"sm_count", p.multiProcessorCount},
                             {"l2_bytes", p.l2CacheSize},
                             {"memory_bytes", p.totalGlobalMem},
                             {"max_sm_clock_mhz", sm_clock_khz / 1000},
                             {"memory_clock_mhz", int(ceilings.memory_clock_mhz)},
                             {"memory_bus_width_bits", ceilings.memory_bus_width_bits}};
  if (nvml) {
    if (const auto mhz = nvml->sm_clock_mhz()) gpu_json["sm_clock_at_start_mhz"] = *mhz;
  }
  return {{"gpu", gpu_json},
          {"driver_version", nvml ? nvml->driver_version() : ""},
          {"cuda_driver_api", version_text(driver)},
          {"cuda_runtime", version_text(runtime)},
          {"cudnn", std::to_string(cudnn / 10000) + "." + std::to_string((cudnn % 10000) / 100) + "." +
                        std::to_string(cudnn % 100)},
          {"cublas",
           std::to_string(cublas_major) + "." + std::to_string(cublas_minor) + "." + std::to_string(cublas_patch)},
          {"cusparse", std::to_string(cusparse_version / 1000) + "." + std::to_string(cusparse_version % 1000 / 100) +
                           "." + std::to_string(cusparse_version % 100)},
          {"cupti_api", cupti_api},
          {"nvml", nvml != nullptr},
          {"host", {{"name", host}, {"cpu", cpu_model()}}}};
}

}  // namespace scb
