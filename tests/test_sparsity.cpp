// Mask generators, the .npy loader and activation sparsity.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "harness/sparsity/activation.hpp"
#include "harness/sparsity/formats.hpp"
#include "harness/sparsity/mask.hpp"
#include "harness/sparsity/npy.hpp"
#include "harness/sparsity/rng.hpp"
#include "harness/spec/sweep.hpp"

namespace scb {
namespace {

MaskSpec spec(MaskKind kind, int block = 0, int n = 0, int m = 0) {
  MaskSpec s;
  s.kind = kind;
  s.block_size = block;
  s.n = n;
  s.m = m;
  return s;
}

std::uint64_t checksum(const Mask& mask) {
  std::uint64_t hash = 1469598103934665603ull;
  for (const auto v : mask) hash = (hash ^ v) * 1099511628211ull;
  return hash;
}

TEST(Masks, UniformHitsTheRequestedDensityExactly) {
  const MaskShape shape{64, 3 * 3 * 32};
  for (const double sparsity : {0.0, 0.5, 0.9, 0.99}) {
    const Mask m = generate_mask(spec(MaskKind::uniform), shape, sparsity, 11);
    EXPECT_NEAR(mask_density(m), 1.0 - sparsity, 1.0 / double(shape.count())) << sparsity;
  }
}

TEST(Masks, SameSeedSameMaskOnEveryMachine) {
  const MaskShape shape{16, 75};
  const Mask a = generate_mask(spec(MaskKind::uniform), shape, 0.5, 42);
  EXPECT_EQ(a, generate_mask(spec(MaskKind::uniform), shape, 0.5, 42));
  EXPECT_NE(a, generate_mask(spec(MaskKind::uniform), shape, 0.5, 43));
  // Golden value: std::mt19937_64's sequence is fixed by the C++ standard and the conversions are
  // ours, so this checksum must be the same with any compiler and library on any machine.
  EXPECT_EQ(checksum(a), 0x9f5b987476809389ull);
  EXPECT_EQ(derive_seed(1, "mask vgg19/conv1_1"), derive_seed(1, "mask vgg19/conv1_1"));
  EXPECT_NE(derive_seed(1, "mask vgg19/conv1_1"), derive_seed(2, "mask vgg19/conv1_1"));
}

TEST(Masks, ChannelImbalancedKeepsTheOverallDensityButVariesPerChannel) {
  const MaskShape shape{256, 1152};
  const Mask m = generate_mask(spec(MaskKind::channel_imbalanced), shape, 0.9, 5);
  EXPECT_NEAR(mask_density(m), 0.1, 1.0 / double(shape.count()));
  const auto rows = row_densities(m, shape);
  const double mean = std::accumulate(rows.begin(), rows.end(), 0.0) / double(rows.size());
  double var = 0;
  for (const double d : rows) var += (d - mean) * (d - mean);
  const double cv = std::sqrt(var / double(rows.size())) / mean;
  EXPECT_GT(cv, 0.3) << "per-channel densities should spread like real pruning";
  EXPECT_LT(cv, 1.0);
  const Mask uniform = generate_mask(spec(MaskKind::uniform), shape, 0.9, 5);
  const auto urows = row_densities(uniform, shape);
  double uvar = 0;
  for (const double d : urows) uvar += (d - 0.1) * (d - 0.1);
  EXPECT_LT(std::sqrt(uvar / double(urows.size())) / 0.1, 0.15);
}

TEST(Masks, BlockMasksAreBlockStructured) {
  const MaskShape shape{128, 576};
  for (const int b : {8, 16, 32}) {
    const Mask m = generate_mask(spec(MaskKind::block, b), shape, 0.75, 9);
    EXPECT_TRUE(is_block_sparse(m, shape, b)) << b;
    EXPECT_NEAR(mask_density(m), 0.25, 0.02) << b;
  }
  EXPECT_FALSE(is_block_sparse(generate_mask(spec(MaskKind::uniform), shape, 0.75, 9), shape, 8));
}

TEST(Masks, NmMasksReallyAreNm) {
  const MaskShape shape{64, 288};
  const Mask m = generate_mask(spec(MaskKind::nm, 0, 2, 4), shape, 0.5, 3);
  EXPECT_TRUE(is_n_m_sparse(m, shape, 2, 4));
  EXPECT_DOUBLE_EQ(mask_density(m), 0.5);
  const Mask m18 = generate_mask(spec(MaskKind::nm, 0, 1, 8), {10, 27}, 0.875, 3);  // 27 = 3 groups of 8 + 3
  EXPECT_TRUE(is_n_m_sparse(m18, {10, 27}, 1, 8));
  EXPECT_FALSE(is_n_m_sparse(generate_mask(spec(MaskKind::uniform), shape, 0.5, 3), shape, 2, 4));
}

class Npy : public ::testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::path(SCBENCH_TEST_TMP) / "npy" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
  void SetUp() override { std::filesystem::create_directories(dir); }
  std::filesystem::path write(const std::string& name, const std::string& descr, const std::string& shape,
                              const std::string& payload, bool fortran = false, const char* magic = "\x93NUMPY") {
    std::string header =
        "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    header.resize(((header.size() + 11 + 63) / 64) * 64 - 11, ' ');
    header += '\n';
    std::ofstream out(dir / name, std::ios::binary);
    out.write(magic, 6);
    out.write("\x01\x00", 2);
    const char length[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
    out.write(length, 2);
    out << header << payload;
    return dir / name;
  }
};

TEST_F(Npy, LoadsBoolUint8AndFloatMasks) {
  const std::string bytes("\x01\x00\x00\x01\x01\x00", 6);
  EXPECT_EQ(load_npy_mask(write("b.npy", "|b1", "(2, 3)", bytes), {2, 3}), (Mask{1, 0, 0, 1, 1, 0}));
  EXPECT_EQ(load_npy_mask(write("u.npy", "|u1", "(1, 1, 2, 3)", bytes), {1, 1, 2, 3}), (Mask{1, 0, 0, 1, 1, 0}));
  float values[3] = {0.5f, 0.0f, -2.0f};
  const std::string fbytes(reinterpret_cast<const char*>(values), sizeof values);
  EXPECT_EQ(load_npy_mask(write("f.npy", "<f4", "(3,)", fbytes), {3}), (Mask{1, 0, 1}));
}

TEST_F(Npy, RejectsWrongDtype) {
  const auto path = write("c.npy", "<c8", "(2,)", std::string(16, '\0'));
  try {
    load_npy_mask(path, {2});
    FAIL();
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("dtype '<c8' is not supported"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_npy_mask(write("be.npy", ">f4", "(2,)", std::string(8, '\0')), {2}), NpyError);
}

TEST_F(Npy, RejectsWrongShape) {
  const auto path = write("s.npy", "|u1", "(2, 3)", std::string(6, '\1'));
  try {
    load_npy_mask(path, {3, 2});
    FAIL();
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("shape (2, 3) does not match"), std::string::npos) << e.what();
  }
}

TEST_F(Npy, RejectsNegativeAndOverflowingDimensions) {
  // A regex for digits once read "(-2, 3)" as (2, 3).
  try {
    load_npy_mask(write("neg.npy", "|u1", "(-2, 3)", std::string(6, '\1')), {2, 3});
    FAIL();
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("'-2' is not a non-negative integer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_npy_mask(write("big.npy", "|u1", "(99999999999999999999,)", ""), {2}), NpyError);
  EXPECT_THROW(load_npy_mask(write("prod.npy", "|u1", "(4294967296, 4294967296)", ""), {2}), NpyError);
  EXPECT_THROW(load_npy_mask(write("empty.npy", "|u1", "(2, , 3)", ""), {2}), NpyError);
  EXPECT_EQ(read_npy_header(write("scalar.npy", "|u1", "()", "\1")).shape, std::vector<std::int64_t>{});
}

TEST_F(Npy, RejectsCorruptHeaderTruncatedDataAndFortranOrder) {
  EXPECT_THROW(load_npy_mask(write("m.npy", "|u1", "(2,)", "\1\1", false, "\x93NUMPX"), {2}), NpyError);
  EXPECT_THROW(load_npy_mask(write("t.npy", "|u1", "(4,)", "\1\1"), {4}), NpyError);
  EXPECT_THROW(load_npy_mask(write("fo.npy", "|u1", "(2, 2)", "\1\1\1\1", true), {2, 2}), NpyError);
  std::ofstream(dir / "garbage.npy") << "not numpy at all";
  EXPECT_THROW(load_npy_mask(dir / "garbage.npy", {2}), NpyError);
  EXPECT_THROW(load_npy_mask(dir / "absent.npy", {2}), NpyError);
}

double zero_fraction(const std::vector<float>& v) {
  return double(std::count(v.begin(), v.end(), 0.0f)) / double(v.size());
}

// Fraction of zero pixels whose right neighbour is also zero: high for clusters.
double zero_neighbour_fraction(const std::vector<float>& v, int h, int w) {
  std::size_t zeros = 0, paired = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x + 1 < w; ++x)
      if (v[std::size_t(y) * w + x] == 0.0f) {
        ++zeros;
        paired += v[std::size_t(y) * w + x + 1] == 0.0f;
      }
  return double(paired) / double(zeros);
}

TEST(Activations, ChannelPatternZeroesWholeChannelsOfEachImage) {
  const int n = 3, c = 10, h = 8, w = 8;
  std::vector<float> values(std::size_t(n) * c * h * w);
  Rng rng(2);
  for (auto& v : values) v = float(rng.uniform(0.1, 1.0));
  auto base = values;
  apply_activation_sparsity(values, n, c, h, w, 0.75, ActivationPattern::channel, 9);
  EXPECT_NEAR(zero_fraction(values), 0.75, 0.03);
  std::vector<int> dead_per_image(std::size_t(n), 0);
  for (int image = 0; image < n; ++image)
    for (int channel = 0; channel < c; ++channel) {
      const auto first = values.begin() + (std::ptrdiff_t(image) * c + channel) * h * w;
      dead_per_image[std::size_t(image)] += std::all_of(first, first + h * w, [](float v) { return v == 0.0f; });
    }
  // 7 whole channels of 10 in every image (floor of 7.5); the other half channel falls on the rest.
  for (const int dead : dead_per_image) EXPECT_EQ(dead, 7);
  auto again = base;
  apply_activation_sparsity(again, n, c, h, w, 0.75, ActivationPattern::channel, 9);
  EXPECT_EQ(again, values);
  auto other_seed = base;
  apply_activation_sparsity(other_seed, n, c, h, w, 0.75, ActivationPattern::channel, 10);
  EXPECT_NE(other_seed, values) << "the dead channels are drawn, not fixed";
}

TEST(Activations, UniformAndClusteredSparsity) {
  const int n = 2, c = 4, h = 32, w = 32;
  std::vector<float> base(std::size_t(n) * c * h * w);
  Rng rng(1);
  for (auto& v : base) v = float(rng.uniform(0.1, 1.0));
  auto uniform = base, clustered = base;
  apply_activation_sparsity(uniform, n, c, h, w, 0.7, ActivationPattern::uniform, 4);
  apply_activation_sparsity(clustered, n, c, h, w, 0.7, ActivationPattern::clustered, 4);
  EXPECT_NEAR(zero_fraction(uniform), 0.7, 0.02);
  EXPECT_NEAR(zero_fraction(clustered), 0.7, 0.01);
  EXPECT_NEAR(zero_neighbour_fraction(uniform, h, w), 0.7, 0.08);
  EXPECT_GT(zero_neighbour_fraction(clustered, h, w), 0.9);
  auto again = base;
  apply_activation_sparsity(again, n, c, h, w, 0.7, ActivationPattern::clustered, 4);
  EXPECT_EQ(again, clustered);
  auto none = base;
  apply_activation_sparsity(none, n, c, h, w, 0.0, ActivationPattern::uniform, 4);
  EXPECT_EQ(none, base);
}

}  // namespace
}  // namespace scb

namespace scb {
namespace {

TEST(Formats, CsrHoldsExactlyTheNonzeros) {
  const std::vector<float> dense{0, 2, 0, 0,  //
                                 0, 0, 0, 0,  //
                                 5, 0, 0, -1};
  const CsrMatrix csr = to_csr(dense.data(), 3, 4);
  EXPECT_EQ(csr.row_offsets, (std::vector<int>{0, 1, 1, 3}));
  EXPECT_EQ(csr.col_indices, (std::vector<int>{1, 0, 3}));
  EXPECT_EQ(csr.values, (std::vector<float>{2, 5, -1}));
}

TEST(Formats, StretchedOffsetsPointIntoThePaddedInput) {
  // 3x3 filter over a padded 6-wide, 5-tall channel: column (c, r, s) = (2, 1, 2).
  StretchGeometry g;
  g.R = 3;
  g.S = 3;
  g.row_pitch = 6;
  g.channel_pitch = 30;
  const int column = (2 * 3 + 1) * 3 + 2;
  EXPECT_EQ(stretched_offset(column, g), 2 * 30 + 1 * 6 + 2);
  g.dilation_h = 2;
  g.dilation_w = 3;
  EXPECT_EQ(stretched_offset(column, g), 2 * 30 + 2 * 6 + 6);
  // With chunks of 2 channels, channel 2 is the first of its chunk.
  g.chunk_channels = 2;
  EXPECT_EQ(stretched_offset(column, g), 0 * 30 + 2 * 6 + 6);
  EXPECT_EQ(stretched_offset(0, g), 0);
  // Column-major staging (x outer, y inner): rows are adjacent, columns a column pitch apart.
  g.row_pitch = 1;
  g.column_pitch = 7;
  EXPECT_EQ(stretched_offset(column, g), 0 * 30 + 2 * 1 + 6 * 7);
}

TEST(Formats, BlockedEllPadsShortBlockRowsWithMinusOne) {
  // 4 x 6 matrix, 2 x 2 blocks: block row 0 has blocks at columns 0 and 2, block row 1 at column 1.
  std::vector<float> dense(24, 0.0f);
  dense[0 * 6 + 1] = 1;  // block (0, 0)
  dense[1 * 6 + 4] = 2;  // block (0, 2)
  dense[3 * 6 + 2] = 3;  // block (1, 1)
  const BlockedEllMatrix ell = to_blocked_ell(dense.data(), 4, 6, 2);
  EXPECT_EQ(ell.ell_cols, 4);
  EXPECT_EQ(ell.block_col_indices, (std::vector<int>{0, 2, 1, -1}));
  ASSERT_EQ(ell.values.size(), 16u);
  EXPECT_EQ(ell.values[0 * 4 + 1], 1);  // row 0, slot 0, column 1 of the block
  EXPECT_EQ(ell.values[1 * 4 + 2], 2);  // row 1, slot 1, column 0 of the block
  EXPECT_EQ(ell.values[3 * 4 + 0], 3);  // row 3, slot 0, column 0 of the block
  EXPECT_THROW(to_blocked_ell(dense.data(), 4, 6, 4), std::invalid_argument);
}

}  // namespace
}  // namespace scb
