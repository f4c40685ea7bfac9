#include "harness/report/roofline.hpp"

#include <algorithm>

namespace scb {

std::optional<int> DeviceCeilings::flops_per_clock_per_sm(Precision precision) const {
  // Dense rates per SM and clock (2 FLOPs per FMA), from NVIDIA's architecture whitepapers.
  if (compute_major == 9 && compute_minor == 0) {  // Hopper H100/H200
    switch (precision) {
      case Precision::fp32:
        return 256;
      case Precision::tf32:
        return 2048;
      case Precision::fp16:
      case Precision::bf16:
        return 4096;
    }
  }
  if (compute_major == 8 && compute_minor == 0) {  // Ampere A100
    switch (precision) {
      case Precision::fp32:
        return 128;
      case Precision::tf32:
        return 1024;
      case Precision::fp16:
      case Precision::bf16:
        return 2048;
    }
  }
  return std::nullopt;
}

std::optional<double> DeviceCeilings::peak_tflops(Precision precision) const {
  const auto rate = flops_per_clock_per_sm(precision);
  if (!rate || sm_count <= 0 || sm_clock_mhz <= 0) return std::nullopt;
  return double(*rate) * sm_count * sm_clock_mhz * 1e6 / 1e12;
}

double DeviceCeilings::bandwidth_gbs() const {
  return 2.0 * memory_clock_mhz * 1e6 * memory_bus_width_bits / 8.0 / 1e9;
}

std::optional<Roofline> roofline_for(const DeviceCeilings& ceilings, Precision precision, double useful_flops,
                                     double minimal_bytes) {
  const auto peak = ceilings.peak_tflops(precision);
  const double bandwidth = ceilings.bandwidth_gbs();
  if (!peak || bandwidth <= 0) return std::nullopt;
  Roofline r;
  r.peak_tflops = *peak;
  r.bandwidth_gbs = bandwidth;
  r.compute_time_us = useful_flops / (*peak * 1e12) * 1e6;
  r.memory_time_us = minimal_bytes / (bandwidth * 1e9) * 1e6;
  r.time_us = std::max(r.compute_time_us, r.memory_time_us);
  r.bound = r.compute_time_us >= r.memory_time_us ? "compute" : "memory";
  return r;
}

}  // namespace scb
