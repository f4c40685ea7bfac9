#include "harness/sparsity/rng.hpp"

#include <cmath>

namespace scb {

std::uint64_t Rng::below(std::uint64_t n) {
  if (n <= 1) return 0;
  const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
  std::uint64_t x = engine_();
  while (x >= limit) x = engine_();
  return x % n;
}

double Rng::normal() {
  double u1 = uniform01();
  while (u1 <= 0.0) u1 = uniform01();
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

std::uint64_t derive_seed(std::uint64_t base, const std::string& name) {
  std::uint64_t hash = 1469598103934665603ull ^ (base * 0x9E3779B97F4A7C15ull);
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  // splitmix64 finalizer spreads the bits of similar names
  hash ^= hash >> 30;
  hash *= 0xBF58476D1CE4E5B9ull;
  hash ^= hash >> 27;
  hash *= 0x94D049BB133111EBull;
  return hash ^ (hash >> 31);
}

}  // namespace scb
