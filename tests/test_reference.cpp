// The FP64 CPU reference against hand-computed cases, error metrics, and the data conversions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "harness/verify/compare.hpp"
#include "harness/data/host_parallel.hpp"
#include "harness/data/problem_data.hpp"
#include "harness/verify/reference.hpp"
#include "kernels/divisor.hpp"
#include "kernels/pool.hpp"
#include "kernels/transform.hpp"
#include "test_layer_builder.hpp"

namespace scb {
namespace {

Layer layer(int C, int H, int W, int K, int R, int S, int stride = 1, int pad = 0, int groups = 1, int dilation = 1) {
  return testing_support::make_layer("hand", C, H, W, K, R, S, stride, pad, groups, dilation);
}

std::vector<float> iota(std::size_t n, float start = 1.0f) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

TEST(CpuReference, TwoByTwoDifferenceFilter) {
  // input 1..9 as 3x3, filter [[1, 0], [0, -1]]: each output is x[i][j] - x[i+1][j+1] = -4.
  const auto out = reference_conv_cpu(layer(1, 3, 3, 1, 2, 2), 1, iota(9), {1, 0, 0, -1});
  EXPECT_EQ(out, (std::vector<double>{-4, -4, -4, -4}));
}

TEST(CpuReference, StrideTwoWithPadding) {
  // 4x4 input 1..16, 3x3 all-ones filter, pad 1, stride 2 -> 2x2 output.
  // out[0][0] = 1+2+5+6 = 14; out[0][1] = 2+3+4+6+7+8 = 30; out[1][0] = 5+6+9+10+13+14 = 57;
  // out[1][1] = 6+7+8+10+11+12+14+15+16 = 99.
  const auto out = reference_conv_cpu(layer(1, 4, 4, 1, 3, 3, 2, 1), 1, iota(16), std::vector<float>(9, 1.0f));
  EXPECT_EQ(out, (std::vector<double>{14, 30, 57, 99}));
}

TEST(CpuReference, GroupsOnlySeeTheirOwnChannels) {
  // 2 channels, 2 groups, 1x1 filters 2 and 3: out0 = 2 * in0, out1 = 3 * in1.
  const auto out = reference_conv_cpu(layer(2, 1, 2, 2, 1, 1, 1, 0, 2), 1, {1, 2, 10, 20}, {2, 3});
  EXPECT_EQ(out, (std::vector<double>{2, 4, 30, 60}));
}

TEST(CpuReference, DilationSkipsPixels) {
  // 5x5 input 1..25, 2x2 ones with dilation 2: out[0][0] = x00 + x02 + x20 + x22 = 1+3+11+13 = 28.
  const auto out = reference_conv_cpu(layer(1, 5, 5, 1, 2, 2, 1, 0, 1, 2), 1, iota(25), {1, 1, 1, 1});
  ASSERT_EQ(out.size(), 9u);
  EXPECT_EQ(out[0], 28);
  EXPECT_EQ(out[8], 28 + 12 * 4);
}

TEST(CpuReference, BatchAndChannelsAccumulate) {
  // N=2, C=2, 1x1 image, K=1 filter (1, 10): out = in0 + 10 * in1 per image.
  const auto out = reference_conv_cpu(layer(2, 1, 1, 1, 1, 1), 2, {1, 2, 3, 4}, {1, 10});
  EXPECT_EQ(out, (std::vector<double>{21, 43}));
}

TEST(CpuReference, SmallProblemsStayOnTheCpuAndSayWhere) {
  // Below the threshold the CPU computes the reference even when a GPU is there.
  const Layer small = layer(2, 5, 5, 3, 3, 3, 1, 1);
  const auto out = reference_conv(small, 1, iota(50), std::vector<float>(54, 0.5f), true);
  EXPECT_EQ(out.kind, "cpu_fp64");
  EXPECT_EQ(out.values, reference_conv_cpu(small, 1, iota(50), std::vector<float>(54, 0.5f)));
}

TEST(CpuReference, ReluThenMaxPoolWithCaffesWindows) {
  using testing_support::make_layer;
  Layer l = make_layer("pooled", 1, 4, 4, 1, 1, 1);
  l.pool = PoolShape{2, 2, 0};
  // A 4 x 4 map (1x1 conv of 1 channel: the conv output is the map itself).
  const std::vector<double> conv = {1,  -2, 3,  0.5,  //
                                    -1, 4,  -3, -4,   //
                                    -5, -6, 2,  2.5,  //
                                    -7, -8, 1,  -1};
  EXPECT_EQ(relu_max_pool(conv, l, 1), (std::vector<double>{4, 3, 0, 2.5}));  // all-negative window: ReLU gives 0
  // 3x3 windows, stride 2, on 4x4: Caffe's ceil mode gives 2 x 2 windows, the last ones clipped to the map.
  l.pool = PoolShape{3, 2, 0};
  ASSERT_EQ(l.pooled_P(), 2);
  EXPECT_EQ(relu_max_pool(conv, l, 1), (std::vector<double>{4, 3, 2, 2.5}));
  // Padding never wins: a window reaching into it takes the max of the map part only.
  l.pool = PoolShape{2, 2, 1};
  ASSERT_EQ(l.pooled_P(), 3);
  EXPECT_EQ(relu_max_pool(conv, l, 1), (std::vector<double>{1, 3, 0.5, 0, 4, 2.5, 0, 1, 0}));
  Layer no_pool = make_layer("plain", 1, 4, 4, 1, 1, 1);
  EXPECT_THROW(relu_max_pool(conv, no_pool, 1), std::invalid_argument);
}

// A square map's pooling layer.
Layer pool_layer(int C, int H, int size, int stride, int pad, PoolMode mode) {
  return testing_support::make_pool_layer("pool", C, H, H, size, stride, pad, mode);
}

TEST(CpuReference, PoolingLayersWithCaffesWindowsAndDivisor) {
  const std::vector<float> map = {1,  -2, 3,  0.5,  //
                                  -1, 4,  -3, -4,   //
                                  -5, -6, 2,  2.5,  //
                                  -7, -8, 1,  -1};
  // Max: no ReLU here, so an all-negative window keeps its max.
  EXPECT_EQ(reference_pool_cpu(pool_layer(1, 4, 2, 2, 0, PoolMode::max), 1, map), (std::vector<double>{4, 3, -5, 2.5}));
  // Average of 2x2/2: the plain mean of each window.
  EXPECT_EQ(reference_pool_cpu(pool_layer(1, 4, 2, 2, 0, PoolMode::avg), 1, map),
            (std::vector<double>{0.5, -0.875, -6.5, 1.125}));
  // 3x3/2 pad 1 on 4x4: 3x3 out, windows from rows -1, 1 and 3. The first covers -1..1, so Caffe divides its 4
  // map values by 9 (padding counted); the last covers 3..5, clipped to the padded map (3..4): by 2 x 2.
  const Layer padded = pool_layer(1, 4, 3, 2, 1, PoolMode::avg);
  ASSERT_EQ(padded.P(), 3);
  const auto avg = reference_pool_cpu(padded, 1, map);
  EXPECT_DOUBLE_EQ(avg[0], (1 - 2 - 1 + 4) / 9.0);
  EXPECT_DOUBLE_EQ(avg[8], -1 / 4.0);
  // 3x3/2 without pad on 4x4: ceil gives 2x2, the last windows reach past the map (rows 2..4); Caffe divides
  // by the window clipped to the map plus pad (here 2 rows x 2 columns = 4).
  const auto clipped = reference_pool_cpu(pool_layer(1, 4, 3, 2, 0, PoolMode::avg), 1, map);
  EXPECT_DOUBLE_EQ(clipped[3], (2 + 2.5 + 1 - 1) / 4.0);
  const auto max = reference_pool_cpu(pool_layer(1, 4, 3, 2, 1, PoolMode::max), 1, map);
  EXPECT_EQ(max, (std::vector<double>{4, 4, 0.5, 4, 4, 2.5, -7, 1, -1})) << "padding never wins";
}

TEST(CpuReference, SoftmaxSubtractsTheMaxSoLargeLogitsDoNotOverflow) {
  Layer l = testing_support::make_softmax_layer(3);
  // exp(1000) overflows any float: only a max-subtracted softmax gives the answer.
  const auto out = reference_softmax_cpu(l, 2, {1000, 1001, 1002, 0, 0, 0});
  const double sum = 1 + std::exp(-1.0) + std::exp(-2.0);
  EXPECT_NEAR(out[2], 1 / sum, 1e-15);
  EXPECT_NEAR(out[0], std::exp(-2.0) / sum, 1e-15);
  EXPECT_NEAR(out[4], 1.0 / 3, 1e-15);
  // 21841 classes: every row sums to 1; one class gives 1.
  l.C = l.K = 21841;
  std::vector<float> logits(2 * 21841);
  for (std::size_t i = 0; i < logits.size(); ++i) logits[i] = float(90 + (i % 97) * 0.08);
  const auto big = reference_softmax_cpu(l, 2, logits);
  EXPECT_NEAR(std::accumulate(big.begin(), big.begin() + 21841, 0.0), 1.0, 1e-12);
  l.C = l.K = 1;
  EXPECT_EQ(reference_softmax_cpu(l, 1, {123.0f}), (std::vector<double>{1.0}));
  // reference_layer picks the op's reference.
  const Layer pool = pool_layer(1, 4, 2, 2, 0, PoolMode::max);
  EXPECT_EQ(reference_layer(pool, 1, iota(16), {}, false).values, (std::vector<double>{6, 8, 14, 16}));
}

TEST(ProblemData, PoolAndSoftmaxHaveNoWeightsAndSoftmaxLogitsOverflowWithoutTheMax) {
  Case c;
  c.layer = pool_layer(3, 6, 2, 2, 0, PoolMode::max);
  c.batch = 2;
  c.weight_sparsity = 0.9;  // ignored: nothing to prune
  HostProblem p = make_problem(c, 7);
  EXPECT_TRUE(p.weights.empty());
  EXPECT_EQ(p.weight_density, 1.0);
  EXPECT_EQ(p.input.size(), 2u * 3 * 6 * 6);
  c.layer = testing_support::make_softmax_layer(1000);
  p = make_problem(c, 7);
  ASSERT_EQ(p.input.size(), 2000u);
  const auto [low, high] = std::minmax_element(p.input.begin(), p.input.end());
  EXPECT_GT(*low, 88.7f) << "every logit's exp overflows FP32";
  EXPECT_LT(*high - *low, 8.01f);
}

// The six layout changes' transposes, applied here on the host as the kernel applies them, give what
// encode_activations stores in the destination layout.
TEST(TransformPlan, EachLayoutChangeIsOneTransposeOfTheSourcesBits) {
  const int n = 3, c = 5, h = 4, w = 7;
  std::vector<float> logical(std::size_t(n) * c * h * w);
  std::iota(logical.begin(), logical.end(), 1.0f);
  const std::pair<Layout, kernels::TensorOrder> orders[] = {{Layout::nchw, kernels::TensorOrder::nchw},
                                                            {Layout::nhwc, kernels::TensorOrder::nhwc},
                                                            {Layout::chwn, kernels::TensorOrder::chwn}};
  for (const auto& [from_layout, from] : orders)
    for (const auto& [to_layout, to] : orders) {
      if (from == to) continue;
      const auto source = encode_activations(logical, n, c, h, w, from_layout, StorageType::fp32);
      const auto expected = encode_activations(logical, n, c, h, w, to_layout, StorageType::fp32);
      const auto t = kernels::transpose_plan(n, c, h, w, from, to);
      ASSERT_EQ(t.batches * t.rows * t.cols, std::int64_t(logical.size()));
      std::vector<std::byte> out(expected.size());
      for (long long b = 0; b < t.batches; ++b)
        for (long long r = 0; r < t.rows; ++r)
          for (long long k = 0; k < t.cols; ++k)
            std::memcpy(&out[std::size_t(b * t.dst_b + k * t.dst_k + r) * 4],
                        &source[std::size_t(b * t.src_b + r * t.src_r + k) * 4], 4);
      EXPECT_EQ(out, expected) << to_string(from_layout) << " -> " << to_string(to_layout);
    }
}

// The kernels' division by a multiply and a shift is exact for every dividend they pass (below 2^31).
TEST(Divisor, QuotientIsExactBelowTwoToThe31) {
  std::vector<std::uint32_t> divisors;
  for (std::uint32_t d = 1; d <= 3000; ++d) divisors.push_back(d);
  for (const std::uint32_t d : {7919u, 65535u, 65536u, 65537u, 1000003u, (1u << 30) - 1, 1u << 30, (1u << 31) - 1})
    divisors.push_back(d);
  std::uint64_t state = 12345;
  for (const std::uint32_t d : divisors) {
    const kernels::Divisor divisor(d);
    std::vector<std::uint32_t> dividends{0, 1, d - 1, d, d + 1, 2 * d - 1, 0x7fffffffu, 0x7ffffffeu};
    for (int i = 0; i < 64; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      dividends.push_back(std::uint32_t(state >> 33));  // below 2^31
    }
    for (const std::uint32_t n : dividends) {
      if (n > 0x7fffffffu) continue;
      const std::uint32_t q = divisor.quotient(n);
      ASSERT_EQ(q, n / d) << n << " / " << d;
      ASSERT_EQ(divisor.remainder(n, q), n % d) << n << " % " << d;
    }
  }
}

// The pooling plan: 16-byte vectors of the innermost dimension where it divides, NCHW staged while a window's
// rows fit a block's shared memory.
TEST(PoolPlan, VectorDividesTheInnermostDimensionAndNchwStagesWhatFits) {
  kernels::PoolProblem s{128, 96, 55, 55, 27, 27, 3, 2, 0, false};
  using kernels::ElementType, kernels::TensorOrder;
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f32, 0).vector, 4);  // C = 96
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f16, 0).vector, 8);
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f16, 2).vector, 2);
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f32, 8).vector, 4) << "16 bytes at most";
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f32, 3).vector, 2) << "a power of two";
  s.C = 6;
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::bf16, 0).vector, 2);
  s.C = 5;
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nhwc, ElementType::f32, 0).vector, 1);
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::chwn, ElementType::f32, 0).vector, 4) << "CHWN: N = 128 inside";
  s.N = 3;
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::chwn, ElementType::f32, 0).vector, 1);
  EXPECT_TRUE(kernels::pool_plan(s, TensorOrder::nchw, ElementType::f32, 0).staged);
  EXPECT_EQ(kernels::pool_plan(s, TensorOrder::nchw, ElementType::f32, 0).vector, 1);
  s.W = 2100;  // three rows of 2100 do not fit 6144 elements
  EXPECT_FALSE(kernels::pool_plan(s, TensorOrder::nchw, ElementType::f32, 0).staged);
}

// The NCHW pooling's blocks, walked on the host as the kernel walks them: each output row is one block's,
// each window lies in the rows that block staged, and no block stages more than its shared memory holds.
TEST(PoolPlan, StagedBlocksCoverEveryOutputOnceAndStageEveryWindow) {
  struct Shape {
    int N, C, H, W, size, stride, pad;
  };
  for (const Shape& t :
       {Shape{128, 64, 224, 224, 2, 2, 0}, Shape{128, 96, 55, 55, 3, 2, 0}, Shape{3, 5, 12, 12, 2, 2, 0},
        Shape{67, 6, 13, 13, 3, 2, 0}, Shape{1, 3, 14, 10, 3, 2, 0}, Shape{32, 7, 9, 9, 3, 1, 1},
        Shape{3, 4, 11, 11, 3, 2, 1}, Shape{5, 9, 7, 7, 7, 1, 0}, Shape{3, 2, 97, 97, 2, 2, 0},
        Shape{2, 3, 112, 112, 3, 2, 0}, Shape{1, 2, 40, 3000, 2, 2, 0}, Shape{128, 50, 8, 8, 2, 2, 0}}) {
    const Layer layer = testing_support::make_pool_layer("pool", t.C, t.H, t.W, t.size, t.stride, t.pad);
    const kernels::PoolProblem s{t.N, t.C, t.H, t.W, layer.P(), layer.Q(), t.size, t.stride, t.pad, false};
    SCOPED_TRACE(std::to_string(t.N) + "x" + std::to_string(t.C) + "x" + std::to_string(t.H) + "x" +
                 std::to_string(t.W) + " pool " + std::to_string(t.size) + "/" + std::to_string(t.stride) + " pad " +
                 std::to_string(t.pad));
    ASSERT_TRUE(kernels::pool_plan(s, kernels::TensorOrder::nchw, kernels::ElementType::f32, 0).staged);
    const kernels::PoolStaging g = kernels::pool_staging(s);
    std::vector<int> owners(std::size_t(g.planes) * s.P, 0);
    for (int block = 0; block < g.blocks(); ++block) {
      const kernels::StagedBlock b = kernels::staged_block(s, g, block / g.bands, block % g.bands);
      ASSERT_LE(b.count, kernels::kPoolStageElements) << "block " << block;
      ASSERT_GE(b.planes, 1);
      for (int plane = b.plane0; plane < b.plane0 + b.planes; ++plane)
        for (int p = b.p0; p < b.p1; ++p) {
          ++owners[std::size_t(plane) * s.P + p];
          const int ys = p * s.stride - s.pad;
          const int y0 = std::max(ys, 0), y1 = std::min(ys + s.size, s.H);
          ASSERT_LT(y0, y1) << "an empty window at row " << p;
          ASSERT_GE(y0, b.y_lo);
          ASSERT_LE(y1, b.y_hi);
          // The last element of the window's last row, where the kernel reads it in the staged run.
          const long long last =
              (long long)(plane - b.plane0) * s.H * s.W + (long long)(y1 - 1 - b.y_lo) * s.W + s.W - 1;
          ASSERT_LT(last, b.count);
        }
    }
    EXPECT_EQ(std::count(owners.begin(), owners.end(), 1), std::ptrdiff_t(owners.size())) << "each output row once";
  }
}

TEST(Compare, MetricsAndNaNDetection) {
  const std::vector<double> ref{3, 4, 0};
  auto m = compare_outputs(ref, {3, 4, 0});
  EXPECT_EQ(m.rel_l2, 0.0);
  EXPECT_TRUE(within_tolerance(m, tolerance_for(Precision::fp32)));
  m = compare_outputs(ref, {3, 4, 0.05});
  EXPECT_NEAR(m.rel_l2, 0.05 / 5.0, 1e-12);
  EXPECT_NEAR(m.max_rel_error, 0.05 / 4.0, 1e-12);
  EXPECT_FALSE(within_tolerance(m, tolerance_for(Precision::fp16)));
  m = compare_outputs(ref, {3, NAN, 0});
  EXPECT_EQ(m.nonfinite, 1);
  EXPECT_FALSE(within_tolerance(m, tolerance_for(Precision::bf16)));
  EXPECT_NE(describe_failure(m, tolerance_for(Precision::bf16)).find("NaN"), std::string::npos);
}

TEST(Compare, RawOutputBytesGiveTheSameMetricsAsTheirDecodedCopy) {
  // 2^21 + 3 elements: three chunks, the last one short, so the chunked and threaded sums are exercised.
  const int n = 2, k = 3, p = 1021, q = 343;
  const std::size_t count = std::size_t(n) * k * p * q;
  std::vector<double> reference(count);
  std::vector<float> actual(count);
  for (std::size_t i = 0; i < count; ++i) {
    reference[i] = std::sin(0.001 * double(i));
    actual[i] = float(reference[i] * (1.0 + 1e-3 * std::cos(double(i))));
  }
  actual[count - 1] = NAN;
  for (const auto storage : {StorageType::fp32, StorageType::fp16, StorageType::bf16})
    for (const auto layout : {Layout::nchw, Layout::nhwc, Layout::chwn}) {
      const auto raw = encode_activations(actual, n, k, p, q, layout, storage);
      const ErrorMetrics direct = compare_raw_output(reference, raw, n, k, p, q, layout, storage);
      const ErrorMetrics decoded = compare_outputs(reference, decode_output(raw, n, k, p, q, layout, storage));
      EXPECT_EQ(direct.nonfinite, 1);
      EXPECT_EQ(direct.count, std::int64_t(count));
      EXPECT_DOUBLE_EQ(direct.rel_l2, decoded.rel_l2);
      EXPECT_DOUBLE_EQ(direct.max_abs_error, decoded.max_abs_error);
      EXPECT_DOUBLE_EQ(direct.max_rel_error, decoded.max_rel_error);
      EXPECT_GT(direct.rel_l2, 1e-5);  // the 1e-3 perturbation is seen
    }
  const auto raw = encode_activations(actual, n, k, p, q, Layout::nchw, StorageType::fp32);
  EXPECT_THROW(compare_raw_output(reference, raw, n, k, p, q + 1, Layout::nchw, StorageType::fp32), std::logic_error);
}

TEST(HostParallel, StoredOrderWalksMatchTheirFormulasFromAnyStart) {
  const std::size_t A = 3, B = 5, Y = 4, X = 7;
  for (const auto order : {StoredOrderWalk::Order::channels_last, StoredOrderWalk::Order::batch_last})
    for (const std::size_t start : {std::size_t(0), std::size_t(6), std::size_t(27), std::size_t(139)}) {
      StoredOrderWalk walk(start, A, B, Y, X, order);
      std::vector<int> hit(A * B * Y * X, 0);
      for (std::size_t i = start; i < A * B * Y * X; ++i, walk.next()) {
        const std::size_t x = i % X, y = i / X % Y, b = i / (X * Y) % B, a = i / (X * Y * B);
        const std::size_t want = order == StoredOrderWalk::Order::channels_last ? ((a * Y + y) * X + x) * B + b
                                                                                : ((b * Y + y) * X + x) * A + a;
        ASSERT_EQ(walk.offset(), want) << "start " << start << ", index " << i;
        ++hit[want];
      }
      if (start == 0) EXPECT_EQ(std::count(hit.begin(), hit.end(), 1), long(hit.size())) << "a permutation";
    }
}

TEST(HostParallel, EveryChunkOnceWhateverTheSize) {
  for (const std::size_t count : {std::size_t(0), std::size_t(5), kHostChunk, 3 * kHostChunk + 7}) {
    std::vector<int> seen(count, 0);
    std::vector<int> chunk_seen(host_chunk_count(count), 0);
    for_each_host_chunk(count, [&](std::size_t chunk, std::size_t begin, std::size_t end) {
      ++chunk_seen[chunk];
      for (std::size_t i = begin; i < end; ++i) ++seen[i];
    });
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), std::ptrdiff_t(count));
    EXPECT_EQ(std::count(chunk_seen.begin(), chunk_seen.end(), 1), std::ptrdiff_t(chunk_seen.size()));
  }
}

TEST(Compare, TolerancesFollowPrecision) {
  EXPECT_LT(tolerance_for(Precision::fp32).rel_l2, tolerance_for(Precision::fp16).rel_l2);
  EXPECT_LT(tolerance_for(Precision::fp16).rel_l2, tolerance_for(Precision::bf16).rel_l2);
  EXPECT_LE(tolerance_for(Precision::fp32).rel_l2, 1e-5);
}

TEST(ProblemData, RoundingAndLayoutRoundTrip) {
  EXPECT_EQ(round_to_storage(1.0f + 1.0f / 512, StorageType::bf16), 1.0f);  // below bf16 resolution
  EXPECT_EQ(round_to_storage(1.0f + 1.0f / 512, StorageType::fp16), 1.0f + 1.0f / 512);
  const auto values = iota(2 * 3 * 2 * 2, -5.0f);  // N=2, C=3, 2x2
  for (const auto storage : {StorageType::fp32, StorageType::fp16, StorageType::bf16})
    for (const auto layout : {Layout::nchw, Layout::nhwc, Layout::chwn}) {
      const auto raw = encode_activations(values, 2, 3, 2, 2, layout, storage);
      const auto back = decode_output(raw, 2, 3, 2, 2, layout, storage);
      for (std::size_t i = 0; i < values.size(); ++i) ASSERT_EQ(back[i], values[i]);
    }
  // NHWC puts channels innermost: element (n=0, c=1, y=0, x=0) is the second stored value.
  const auto nhwc = encode_activations(values, 2, 3, 2, 2, Layout::nhwc, StorageType::fp32);
  float second;
  std::memcpy(&second, nhwc.data() + 4, 4);
  EXPECT_EQ(second, values[4]);
  // CHWN puts the batch innermost: element (n=1, c=0, y=0, x=0) is the second stored value, and weights
  // K x C x R x S are stored C x R x S x K.
  const auto chwn = encode_activations(values, 2, 3, 2, 2, Layout::chwn, StorageType::fp32);
  std::memcpy(&second, chwn.data() + 4, 4);
  EXPECT_EQ(second, values[12]);
  const auto crsk = encode_weights(values, 2, 3, 2, 2, Layout::chwn, StorageType::fp32);
  std::memcpy(&second, crsk.data() + 4, 4);
  EXPECT_EQ(second, values[12]);  // (k=1, c=0, r=0, s=0)
}

TEST(ProblemData, DeterministicMaskedRandomData) {
  Case c;
  c.layer = layer(16, 8, 8, 32, 3, 3, 1, 1);
  c.batch = 2;
  c.weight_sparsity = 0.75;
  c.activation_sparsity = 0.5;
  c.precision = Precision::bf16;
  const HostProblem a = make_problem(c, 9), b = make_problem(c, 9);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.input, b.input);
  EXPECT_NEAR(a.weight_density, 0.25, 1e-3);
  EXPECT_NEAR(a.activation_density, 0.5, 0.05);
  for (std::size_t i = 0; i < a.weights.size(); ++i) {
    ASSERT_EQ(a.weights[i] == 0.0f, a.mask[i] == 0) << "kept weights are never zero, pruned ones always";
    ASSERT_EQ(a.weights[i], round_to_storage(a.weights[i], StorageType::bf16));
  }
  // Random, not constant.
  EXPECT_NE(*std::min_element(a.input.begin(), a.input.end()), *std::max_element(a.input.begin(), a.input.end()));
  // The mask does not depend on batch or precision: every backend and batch prunes the same weights.
  Case other = c;
  other.batch = 5;
  other.precision = Precision::fp32;
  EXPECT_EQ(build_weight_mask(other, 9), a.mask);
}

TEST(ProblemData, TheInputIsSharedByCasesThatDifferOnlyInTheirWeights) {
  Case c;
  c.layer = layer(16, 8, 8, 32, 3, 3, 1, 1);
  c.batch = 2;
  c.weight_sparsity = 0.75;
  c.activation_sparsity = 0.3;
  Case sparser = c;
  sparser.weight_sparsity = 0.95;
  EXPECT_EQ(c.input_key(), sparser.input_key());
  EXPECT_NE(c.data_key(), sparser.data_key());
  // The runner reuses one made input across such cases: it must be the input each would have made alone.
  const HostInput shared = make_input(c, 9);
  const HostProblem alone = make_problem(sparser, 9), reused = make_problem(sparser, 9, shared);
  EXPECT_EQ(alone.input, reused.input);
  EXPECT_EQ(alone.weights, reused.weights);
  EXPECT_DOUBLE_EQ(alone.activation_density, reused.activation_density);
  Case other_activations = c;
  other_activations.activation_sparsity = 0.6;
  EXPECT_NE(c.input_key(), other_activations.input_key());
  EXPECT_NE(make_input(other_activations, 9).values, shared.values);
}

}  // namespace
}  // namespace scb
