#pragma once
// NVML, loaded at run time (dlopen) so that builds without nvml.h or machines without the driver
// still work: every query then answers "unavailable".
#include <memory>
#include <optional>
#include <string>

namespace scb {

class Nvml {
 public:
  // Opens NVML for the CUDA device with this PCI bus id; nothing if NVML cannot be loaded.
  static std::unique_ptr<Nvml> open(const std::string& pci_bus_id, std::string* why_not = nullptr);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  std::optional<unsigned> sm_clock_mhz() const;
  std::optional<unsigned> max_sm_clock_mhz() const;
  std::string driver_version() const;
  // The GPU's energy counter (mJ since the driver loaded); nothing where the GPU has none (pre-Volta).
  std::optional<unsigned long long> total_energy_mj() const;
  // The board's power draw now and the power limit in force, in milliwatts (a sensor apart from the
  // energy counter, so each can check the other).
  std::optional<unsigned> power_usage_mw() const;
  std::optional<unsigned> enforced_power_limit_mw() const;

 private:
  Nvml() = default;
  struct Api;
  std::unique_ptr<Api> api_;
  void* device_ = nullptr;
};

}  // namespace scb
