#pragma once
// The GPU's ceilings for one precision and the roofline time of a case: the larger of its useful
// FLOPs over peak compute and its minimal bytes over memory bandwidth.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/spec/types.hpp"

namespace scb {

struct DeviceCeilings {
  int sm_count = 0;
  double sm_clock_mhz = 0;  // the clock measured at the start of the run (max clock if unknown)
  int compute_major = 0, compute_minor = 0;
  double memory_clock_mhz = 0;
  int memory_bus_width_bits = 0;
  // A device-to-device copy's bytes read plus written over its time, as the run's engine times it: what a
  // memory-bound op (pooling, softmax) can reach; 0 until measured.
  double measured_copy_gbs = 0;

  // FLOPs per clock per SM for the precision's math units (dense); nothing for unknown chips.
  std::optional<int> flops_per_clock_per_sm(Precision precision) const;
  std::optional<double> peak_tflops(Precision precision) const;
  double bandwidth_gbs() const;  // DDR: two transfers per memory clock
};

struct Roofline {
  double peak_tflops = 0;
  double bandwidth_gbs = 0;
  double compute_time_us = 0;
  double memory_time_us = 0;
  double time_us = 0;  // max of the two
  std::string bound;   // "compute" or "memory"
};

std::optional<Roofline> roofline_for(const DeviceCeilings& ceilings, Precision precision, double useful_flops,
                                     double minimal_bytes);

}  // namespace scb
