// Helper kernels that the backends build on, each against a host loop: the zero-bordered copy that
// codegen reads, and the scan for dead channels that dual_sparse skips.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/channel_liveness.hpp"
#include "kernels/pad.hpp"
#include "tests/pad_test_support.hpp"
#include "tests/gpu_test_support.hpp"

namespace scb {
namespace {

// channels > 0: a liveness mask marks every third plane dead; those must keep what padded held (0xff bytes).
template <class T>
void expect_padded_copy(const kernels::PadShape& s, int channels = 0) {
  const std::vector<T> input = testing_support::pad_test_input<T>(s);
  const std::size_t padded_count = std::size_t(s.planes) * s.padded_height() * s.padded_width();
  T *device_input = nullptr, *device_padded = nullptr;
  ASSERT_EQ(cudaMalloc(&device_input, input.size() * sizeof(T)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&device_padded, padded_count * sizeof(T)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(device_input, input.data(), input.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemset(device_padded, 0xff, padded_count * sizeof(T)), cudaSuccess);  // the kernel writes all
  unsigned* device_live = nullptr;
  if (channels > 0) {
    const std::vector<unsigned> live = testing_support::pad_test_live_mask(s, channels);
    ASSERT_EQ(cudaMalloc(&device_live, live.size() * sizeof(unsigned)), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(device_live, live.data(), live.size() * sizeof(unsigned), cudaMemcpyHostToDevice),
              cudaSuccess);
  }
  ASSERT_EQ(kernels::pad_planes(device_input, device_padded, s, int(sizeof(T)), nullptr, device_live, channels),
            cudaSuccess);
  std::vector<T> padded(padded_count);
  ASSERT_EQ(cudaMemcpy(padded.data(), device_padded, padded_count * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(device_input);
  cudaFree(device_padded);
  cudaFree(device_live);
  EXPECT_EQ(testing_support::wrong_padded_elements(s, input, padded, channels), 0u)
      << s.planes << " planes of " << s.H << "x" << s.W << ", pad " << s.pad_h << "/" << s.pad_w;
}

TEST(PadKernel, CopiesEveryPlaneIntoAZeroBorder) {
  SCB_REQUIRE_GPU();
  // Rows narrower and wider than a warp, pads of 0 to 3, and 4.4M rows: more than the grid covers at once.
  for (const kernels::PadShape& s : {kernels::PadShape{3, 5, 7, 1, 2}, kernels::PadShape{2, 9, 40, 3, 0},
                                     kernels::PadShape{64, 28, 28, 1, 1}, kernels::PadShape{1, 1, 1, 0, 0},
                                     kernels::PadShape{70000, 3, 3, 2, 1}, kernels::PadShape{1100000, 2, 1, 1, 0}}) {
    expect_padded_copy<std::uint32_t>(s);
    expect_padded_copy<std::uint16_t>(s);
  }
}

TEST(PadKernel, SkipsThePlanesALivenessMaskMarksDead) {
  SCB_REQUIRE_GPU();
  // Channel counts below, at and above a 32-bit word; images x channels planes.
  expect_padded_copy<std::uint32_t>(kernels::PadShape{3 * 5, 7, 6, 1, 1}, 5);
  expect_padded_copy<std::uint16_t>(kernels::PadShape{2 * 32, 4, 9, 2, 0}, 32);
  expect_padded_copy<std::uint32_t>(kernels::PadShape{4 * 70, 3, 3, 1, 2}, 70);
}

// Planes of 16-byte vectors and of odd sizes; one nonzero at the start, middle or end of a live plane; dead
// planes of zeros and -0 (sign bit only).
template <class T>
void expect_liveness(int images, int channels, long long plane) {
  const T negative_zero = T(T(1) << (8 * sizeof(T) - 1));
  std::vector<T> input(std::size_t(images) * channels * plane, T(0));
  const int words = kernels::liveness_words(channels);
  std::vector<unsigned> expected(std::size_t(images) * words, 0u);
  for (int n = 0; n < images; ++n)
    for (int c = 0; c < channels; ++c) {
      T* values = input.data() + (std::size_t(n) * channels + c) * plane;
      values[(n + c) % plane] = negative_zero;
      if ((n * 7 + c) % 3 == 0) continue;  // dead
      const long long at = (n + c) % 3 == 0 ? 0 : (n + c) % 3 == 1 ? plane - 1 : plane / 2;
      values[at] = T(0x3c00);  // 1.0 in fp16; a normal fp32 bit pattern too
      expected[std::size_t(n) * words + c / 32] |= 1u << (c % 32);
    }
  T* device_input = nullptr;
  unsigned* device_bits = nullptr;
  ASSERT_EQ(cudaMalloc(&device_input, input.size() * sizeof(T)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&device_bits, expected.size() * sizeof(unsigned)), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(device_input, input.data(), input.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(cudaMemset(device_bits, 0xff, expected.size() * sizeof(unsigned)), cudaSuccess);  // cleared first
  ASSERT_EQ(kernels::find_live_channels(device_input, device_bits, images, channels, plane, int(sizeof(T)), nullptr),
            cudaSuccess);
  std::vector<unsigned> bits(expected.size());
  ASSERT_EQ(cudaMemcpy(bits.data(), device_bits, bits.size() * sizeof(unsigned), cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(device_input);
  cudaFree(device_bits);
  EXPECT_EQ(bits, expected) << images << " images x " << channels << " channels of " << plane << " elements, "
                            << sizeof(T) << "-byte elements";
}

TEST(Liveness, FindsEveryPlaneWithANonzeroAndNoOther) {
  SCB_REQUIRE_GPU();
  for (const long long plane : {1LL, 5LL, 49LL, 784LL, 50176LL}) {  // 16-byte vectors from 784 (fp32) and 8 (fp16)
    expect_liveness<std::uint32_t>(3, 37, plane);
    expect_liveness<std::uint16_t>(3, 37, plane);
  }
  expect_liveness<std::uint16_t>(2, 5, 8);
}

}  // namespace
}  // namespace scb
