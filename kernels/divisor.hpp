#pragma once
// Division by a divisor fixed at launch, as a multiply-high and a shift (Granlund and Montgomery): index
// arithmetic of memory-bound kernels, where a hardware-less 32-bit division costs about 20 instructions per
// element. Exact for dividends below 2^31. Built on the host, used on the host (tests) and on the device.
#include <cstdint>

#if defined(__CUDACC__)
#define SCB_HOST_DEVICE __host__ __device__
#else
#define SCB_HOST_DEVICE
#endif

namespace scb::kernels {

struct Divisor {
  std::uint32_t divisor = 1, multiplier = 1, shift = 0;

  Divisor() = default;
  // divisor >= 1.
  explicit Divisor(std::uint32_t d) : divisor(d) {
    while ((std::uint64_t{1} << shift) < d) ++shift;
    multiplier = std::uint32_t(((std::uint64_t{1} << 32) * ((std::uint64_t{1} << shift) - d)) / d + 1);
  }

  // n < 2^31.
  SCB_HOST_DEVICE std::uint32_t quotient(std::uint32_t n) const {
#if defined(__CUDA_ARCH__)
    const std::uint32_t high = __umulhi(n, multiplier);
#else
    const std::uint32_t high = std::uint32_t((std::uint64_t{n} * multiplier) >> 32);
#endif
    return (high + n) >> shift;
  }
  SCB_HOST_DEVICE std::uint32_t remainder(std::uint32_t n, std::uint32_t q) const { return n - q * divisor; }
};

}  // namespace scb::kernels
