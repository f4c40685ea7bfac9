// Kernels run thread by thread on the CPU, through the host-and-device functions their threads call:
// pool_direct's (kernels/pool_threads.cuh) against the FP64 reference, in every layout, element type and path
// that the GPU tests take, and the zero-border copy (kernels/pad.hpp) with and without a liveness mask. The
// index arithmetic is checked without a GPU; the launch, the barriers and the speed are left for the GPU.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "harness/backends/kernel_types.hpp"
#include "harness/data/problem_data.hpp"
#include "harness/verify/compare.hpp"
#include "harness/verify/reference.hpp"
#include "kernels/pad.hpp"
#include "kernels/pool_threads.cuh"
#include "tests/pad_test_support.hpp"
#include "tests/test_layer_builder.hpp"

namespace scb {
namespace {

using kernels::Divisor;

constexpr int kThreads = 256;  // the kernels' block

template <class T, int V, int SIZE>
void run_inner(const T* in, T* out, const kernels::PoolProblem& s, int outer, int inner) {
  const int total = outer * s.P * s.Q * (inner / V);
  const Divisor vectors_d(unsigned(inner / V)), q_d(unsigned(s.Q)), p_d(unsigned(s.P));
  for (int t = 0; t < total; ++t) kernels::pool_inner_thread<T, V, SIZE>(in, out, s, inner, vectors_d, q_d, p_d, t);
}

template <class T, int V>
void run_inner_sized(const T* in, T* out, const kernels::PoolProblem& s, int outer, int inner) {
  if (s.size == 2) return run_inner<T, V, 2>(in, out, s, outer, inner);
  if (s.size == 3) return run_inner<T, V, 3>(in, out, s, outer, inner);
  run_inner<T, V, 0>(in, out, s, outer, inner);
}

// One pooling as pool_forward launches it, each block's threads one after another.
template <class T>
void run_pooling(const T* in, T* out, const kernels::PoolProblem& s, kernels::TensorOrder order,
                 const kernels::PoolPlan& plan) {
  if (plan.staged) {
    const kernels::PoolStaging g = kernels::pool_staging(s);
    const Divisor q_d(unsigned(s.Q)), p_d(unsigned(s.P));
    std::vector<float> stage(kernels::kPoolStageElements);
    for (int block = 0; block < g.blocks(); ++block) {
      const kernels::StagedBlock b = kernels::staged_block(s, g, block / g.bands, block % g.bands);
      for (int tid = 0; tid < kThreads; ++tid) kernels::pool_stage_share(in, stage.data(), s, b, tid, kThreads);
      for (int tid = 0; tid < kThreads; ++tid)
        kernels::pool_staged_outputs(stage.data(), out, s, g, b, q_d, p_d, tid, kThreads);
    }
    return;
  }
  const int outer = order == kernels::TensorOrder::nhwc ? s.N : order == kernels::TensorOrder::chwn ? s.C : s.N * s.C;
  const int inner = order == kernels::TensorOrder::nhwc ? s.C : order == kernels::TensorOrder::chwn ? s.N : 1;
  ASSERT_EQ(inner % plan.vector, 0);
  switch (plan.vector) {
    case 1:
      return run_inner_sized<T, 1>(in, out, s, outer, inner);
    case 2:
      return run_inner_sized<T, 2>(in, out, s, outer, inner);
    case 4:
      return run_inner_sized<T, 4>(in, out, s, outer, inner);
    default:
      if constexpr (sizeof(T) == 2) return run_inner_sized<T, 8>(in, out, s, outer, inner);
      FAIL() << "vector " << plan.vector;
  }
}

template <class T>
void expect_matches_reference(const Layer& layer, int batch, Layout layout, Precision precision, int max_vector) {
  const StorageType storage = storage_of(precision);
  std::mt19937 rng(unsigned(batch * 131 + layer.C));
  std::uniform_real_distribution<float> value(-4.0f, 4.0f);
  std::vector<float> logical(std::size_t(batch) * layer.C * layer.H * layer.W);
  for (float& v : logical) v = round_to_storage(value(rng), storage);
  const std::vector<std::byte> bytes = encode_activations(logical, batch, layer.C, layer.H, layer.W, layout, storage);
  std::vector<T> input(bytes.size() / sizeof(T));
  std::memcpy(input.data(), bytes.data(), bytes.size());
  const int P = layer.P(), Q = layer.Q();
  std::vector<T> output(std::size_t(batch) * layer.C * P * Q);
  std::memset(output.data(), 0xff, output.size() * sizeof(T));  // NaN in every type: an output never written fails
  const kernels::PoolProblem s{batch, layer.C, layer.H,        layer.W,     P,
                               Q,     layer.R, layer.stride_h, layer.pad_h, layer.pool_mode == PoolMode::avg};
  const kernels::TensorOrder order = tensor_order(layout);
  const kernels::ElementType element = element_type(precision);
  const kernels::PoolPlan plan = kernels::pool_plan(s, order, element, max_vector);
  run_pooling(input.data(), output.data(), s, order, plan);
  std::vector<std::byte> raw(output.size() * sizeof(T));
  std::memcpy(raw.data(), output.data(), raw.size());
  const auto actual = decode_output(raw, batch, layer.C, P, Q, layout, storage);
  const auto metrics = compare_outputs(reference_pool_cpu(layer, batch, logical), actual);
  EXPECT_TRUE(within_tolerance(metrics, tolerance_for(precision)))
      << layer.name << " N=" << batch << " " << to_string(layout) << " " << to_string(precision) << " vector "
      << plan.vector << (plan.staged ? " staged" : "") << ": rel_l2 " << metrics.rel_l2 << ", max rel "
      << metrics.max_rel_error;
}

std::vector<Layer> pool_layers() {
  std::vector<Layer> layers;
  for (const PoolMode mode : {PoolMode::max, PoolMode::avg}) {
    const std::string m = to_string(mode);
    using testing_support::make_pool_layer;
    layers.push_back(make_pool_layer(m + "2x2s2", 5, 12, 12, 2, 2, 0, mode));
    layers.push_back(make_pool_layer(m + "3x3s2_ceil", 6, 13, 13, 3, 2, 0, mode));
    layers.push_back(make_pool_layer(m + "3x3s2_partial", 3, 14, 10, 3, 2, 0, mode));
    layers.push_back(make_pool_layer(m + "3x3s1_pad1", 7, 9, 9, 3, 1, 1, mode));
    layers.push_back(make_pool_layer(m + "3x3s2_pad1", 4, 11, 11, 3, 2, 1, mode));
    layers.push_back(make_pool_layer(m + "7x7s1_global", 9, 7, 7, 7, 1, 0, mode));
    layers.push_back(make_pool_layer(m + "3x3s2_c16", 16, 15, 15, 3, 2, 0, mode));
    layers.push_back(make_pool_layer(m + "2x2s2_bands", 2, 97, 97, 2, 2, 0, mode));
    layers.push_back(make_pool_layer(m + "3x3s2_wide", 2, 5, 2100, 3, 2, 1, mode));
  }
  return layers;
}

TEST(PoolThreads, EveryLayoutAndElementMatchesTheReference) {
  for (const Layer& layer : pool_layers())
    for (const int batch : {1, 3, 32})
      for (const Layout layout : {Layout::nchw, Layout::nhwc, Layout::chwn}) {
        expect_matches_reference<float>(layer, batch, layout, Precision::fp32, 0);
        expect_matches_reference<__half>(layer, batch, layout, Precision::fp16, 0);
        expect_matches_reference<__nv_bfloat16>(layer, batch, layout, Precision::bf16, 0);
        if (layout != Layout::nchw) {  // narrower vectors than 16 bytes
          expect_matches_reference<float>(layer, batch, layout, Precision::fp32, 2);
          expect_matches_reference<__half>(layer, batch, layout, Precision::fp16, 1);
        }
      }
}

// Every padded element as the copy writes it; planes the mask marks dead (every third) keep what was there.
template <class T>
void expect_padded(const kernels::PadShape& s, int channels) {
  const std::vector<T> input = testing_support::pad_test_input<T>(s);
  std::vector<T> padded(std::size_t(s.planes) * s.padded_height() * s.padded_width(), T(~T(0)));
  const std::vector<unsigned> live =
      channels > 0 ? testing_support::pad_test_live_mask(s, channels) : std::vector<unsigned>{};
  const Divisor width_d(unsigned(s.padded_width())), height_d(unsigned(s.padded_height())),
      channels_d(unsigned(channels > 0 ? channels : 1));
  for (std::uint32_t o = 0; o < padded.size(); ++o)
    kernels::pad_element(input.data(), padded.data(), s, width_d, height_d, channels > 0 ? live.data() : nullptr,
                         channels_d, (channels + 31) / 32, o);
  EXPECT_EQ(testing_support::wrong_padded_elements(s, input, padded, channels), 0u)
      << s.planes << " planes of " << s.H << "x" << s.W << ", pad " << s.pad_h << "/" << s.pad_w
      << (channels > 0 ? ", masked" : "");
}

TEST(PadThreads, EveryElementIsTheInputsOrTheBordersAndDeadPlanesAreLeftAlone) {
  for (const kernels::PadShape& s :
       {kernels::PadShape{3, 5, 7, 1, 2}, kernels::PadShape{2, 9, 40, 3, 0}, kernels::PadShape{64, 28, 28, 1, 1},
        kernels::PadShape{1, 1, 1, 0, 0}, kernels::PadShape{7000, 3, 3, 2, 1}}) {
    expect_padded<std::uint32_t>(s, 0);
    expect_padded<std::uint16_t>(s, 0);
  }
  expect_padded<std::uint32_t>(kernels::PadShape{3 * 5, 7, 6, 1, 1}, 5);
  expect_padded<std::uint16_t>(kernels::PadShape{2 * 32, 4, 9, 2, 0}, 32);
  expect_padded<std::uint32_t>(kernels::PadShape{4 * 70, 3, 3, 1, 2}, 70);
}

}  // namespace
}  // namespace scb
