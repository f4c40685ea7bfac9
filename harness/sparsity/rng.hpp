#pragma once
// Deterministic random numbers: the same seed gives the same values on every machine and compiler.
// std::mt19937_64's output sequence is fixed by the standard; its distributions are not, so the
// conversions to floats and ranges are written here.
#include <cstdint>
#include <random>
#include <string>

namespace scb {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  double uniform01() { return double(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  std::uint64_t below(std::uint64_t n);  // uniform in [0, n), no modulo bias
  double normal();                       // standard normal (Box-Muller)

 private:
  std::mt19937_64 engine_;
};

// A seed derived from a base seed and a name, e.g. derive_seed(sweep_seed, "weights vgg19/conv1_1").
std::uint64_t derive_seed(std::uint64_t base, const std::string& name);

}  // namespace scb
