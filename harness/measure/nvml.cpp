#include "harness/measure/nvml.hpp"

#include <dlfcn.h>

namespace scb {

namespace {
// The few NVML declarations used here (from NVML's public ABI).
using NvmlReturn = int;
using NvmlDevice = void*;
constexpr int kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;
}  // namespace

struct Nvml::Api {
  void* library = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  NvmlReturn (*handle_by_pci)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*max_clock_info)(NvmlDevice, int, unsigned*) = nullptr;
  NvmlReturn (*driver_version)(char*, unsigned) = nullptr;
  NvmlReturn (*total_energy)(NvmlDevice, unsigned long long*) = nullptr;  // optional
  NvmlReturn (*power_usage)(NvmlDevice, unsigned*) = nullptr;             // optional
  NvmlReturn (*power_limit)(NvmlDevice, unsigned*) = nullptr;             // optional
  ~Api() {
    if (shutdown) shutdown();
    if (library) dlclose(library);
  }
};

std::unique_ptr<Nvml> Nvml::open(const std::string& pci_bus_id, std::string* why_not) {
  const auto fail = [&](const std::string& reason) -> std::unique_ptr<Nvml> {
    if (why_not) *why_not = reason;
    return nullptr;
  };
  auto api = std::make_unique<Api>();
  api->library = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!api->library) return fail("libnvidia-ml.so.1 not found");
  const auto symbol = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(api->library, name));
    return fn != nullptr;
  };
  NvmlReturn (*init)() = nullptr;
  if (!symbol(init, "nvmlInit_v2") || !symbol(api->handle_by_pci, "nvmlDeviceGetHandleByPciBusId_v2") ||
      !symbol(api->clock_info, "nvmlDeviceGetClockInfo") || !symbol(api->max_clock_info, "nvmlDeviceGetMaxClockInfo") ||
      !symbol(api->driver_version, "nvmlSystemGetDriverVersion"))
    return fail("NVML lacks an expected symbol");
  if (init() != kNvmlSuccess) return fail("nvmlInit failed");
  symbol(api->shutdown, "nvmlShutdown");
  symbol(api->total_energy, "nvmlDeviceGetTotalEnergyConsumption");
  symbol(api->power_usage, "nvmlDeviceGetPowerUsage");
  symbol(api->power_limit, "nvmlDeviceGetEnforcedPowerLimit");
  std::unique_ptr<Nvml> nvml(new Nvml());
  if (api->handle_by_pci(pci_bus_id.c_str(), &nvml->device_) != kNvmlSuccess)
    return fail("NVML does not know the device at PCI " + pci_bus_id);
  nvml->api_ = std::move(api);
  return nvml;
}

Nvml::~Nvml() = default;

std::optional<unsigned> Nvml::sm_clock_mhz() const {
  unsigned mhz = 0;
  if (api_->clock_info(device_, kNvmlClockSm, &mhz) != kNvmlSuccess) return std::nullopt;
  return mhz;
}

std::optional<unsigned> Nvml::max_sm_clock_mhz() const {
  unsigned mhz = 0;
  if (api_->max_clock_info(device_, kNvmlClockSm, &mhz) != kNvmlSuccess) return std::nullopt;
  return mhz;
}

std::optional<unsigned long long> Nvml::total_energy_mj() const {
  unsigned long long mj = 0;
  if (!api_->total_energy || api_->total_energy(device_, &mj) != kNvmlSuccess) return std::nullopt;
  return mj;
}

std::optional<unsigned> Nvml::power_usage_mw() const {
  unsigned mw = 0;
  if (!api_->power_usage || api_->power_usage(device_, &mw) != kNvmlSuccess) return std::nullopt;
  return mw;
}

std::optional<unsigned> Nvml::enforced_power_limit_mw() const {
  unsigned mw = 0;
  if (!api_->power_limit || api_->power_limit(device_, &mw) != kNvmlSuccess) return std::nullopt;
  return mw;
}

std::string Nvml::driver_version() const {
  char text[96] = {};
  if (api_->driver_version(text, sizeof text) != kNvmlSuccess) return "";
  return text;
}

}  // namespace scb
