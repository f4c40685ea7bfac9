// The code generator without a GPU: its programs compute the convolution (run here exactly as the PTX
// runs them: one base per thread, loads from a padded copy or predicated loads, one FMA per nonzero), the PTX
// compiles with nvJitLink with every weight an FFMA immediate and within its register limit, and the cubin
// cache hits on the second compile.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "harness/verify/reference.hpp"
#include "kernels/codegen/compiler.hpp"
#include "kernels/codegen/program.hpp"
#include "kernels/codegen/ptx.hpp"
#include "tests/test_layer_builder.hpp"

namespace scb {
namespace {

using kernels::ConvShape;
using kernels::codegen::BlockProgram;

ConvShape shape_of(const Layer& l, int batch) {
  return {batch, l.C,      l.H,        l.W,        l.K,     l.R,     l.S,          l.P(),
          l.Q(), l.groups, l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.dilation_h, l.dilation_w};
}

// Weights with the given density; output channel 1 (when there is one) is pruned entirely.
std::vector<float> pruned_weights(const Layer& l, double density, std::mt19937& rng) {
  std::vector<float> w(std::size_t(l.weight_count()));
  std::uniform_real_distribution<float> value(-1.0f, 1.0f), keep(0.0f, 1.0f);
  const std::size_t per_channel = w.size() / std::size_t(l.K);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = keep(rng) < density ? value(rng) : 0.0f;
  if (l.K > 1) std::fill(w.begin() + per_channel, w.begin() + 2 * per_channel, 0.0f);
  return w;
}

// A layer's padded programs at N = 2 for random weights of the given density (channel 1 pruned).
struct Generated {
  ConvShape shape;
  std::vector<BlockProgram> programs;
};
Generated generate(const Layer& layer, double density, unsigned seed, int channels_per_block) {
  std::mt19937 rng(seed);
  const auto weights = pruned_weights(layer, density, rng);
  const ConvShape shape = shape_of(layer, 2);
  return {shape, kernels::codegen::build_programs(shape, weights.data(), channels_per_block,
                                                  kernels::codegen::Border::padded)};
}

// The input as a padded program reads it: each plane with a zero border of pad_h rows and pad_w columns.
std::vector<float> pad_on_host(const ConvShape& s, const std::vector<float>& input) {
  const auto [height, width] = kernels::codegen::read_plane(s, kernels::codegen::Border::padded);
  std::vector<float> padded(std::size_t(s.N) * s.C * height * width, 0.0f);
  for (std::int64_t plane = 0; plane < std::int64_t(s.N) * s.C; ++plane)
    for (int h = 0; h < s.H; ++h)
      for (int w = 0; w < s.W; ++w)
        padded[std::size_t((plane * height + h + s.pad_h) * width + w + s.pad_w)] =
            input[std::size_t((plane * s.H + h) * s.W + w)];
  return padded;
}

// What the generated kernels compute, step by step as the PTX does it: padded programs load every tap from the
// padded copy without a check (an index outside it fails the test), predicated ones load only inside.
std::vector<double> run_programs(const ConvShape& s, const std::vector<BlockProgram>& programs,
                                 const std::vector<float>& input, std::vector<int>& writes) {
  std::vector<double> out(std::size_t(s.N) * s.K * s.P * s.Q, std::nan(""));
  writes.assign(out.size(), 0);
  std::vector<float> padded;
  for (const auto& block : programs) {
    const bool is_padded = block.border == kernels::codegen::Border::padded;
    if (is_padded && padded.empty()) padded = pad_on_host(s, input);
    for (int n = 0; n < s.N; ++n)
      for (int p = 0; p < s.P; ++p)
        for (int q = 0; q < s.Q; ++q) {
          const std::int64_t base = kernels::codegen::base_offset(s, block.border, block.group, n, p, q);
          const int h0 = p * s.stride_h - s.pad_h, w0 = q * s.stride_w - s.pad_w;
          std::vector<double> acc(std::size_t(block.channels), 0.0);
          for (const auto& tap : block.taps) {
            double x = 0.0;
            if (is_padded) {
              x = double(padded.at(std::size_t(base + tap.offset)));
            } else {
              const bool row_ok = unsigned(h0 + tap.r * s.dilation_h) < unsigned(s.H);
              const bool col_ok = unsigned(w0 + tap.s * s.dilation_w) < unsigned(s.W);
              if (row_ok && col_ok) x = double(input.at(std::size_t(base + tap.offset)));
            }
            for (const auto& weight : tap.weights) acc[std::size_t(weight.channel)] += x * double(weight.value);
          }
          for (int k = 0; k < block.channels; ++k) {
            const std::size_t at = ((std::size_t(n) * s.K + block.k_begin + k) * s.P + p) * s.Q + q;
            out[at] = acc[std::size_t(k)];
            ++writes[at];
          }
        }
  }
  return out;
}

struct GridCase {
  Layer layer;
  int batch;
  double density;
  int channels_per_block;
};

TEST(Codegen, ProgramsComputeTheConvolutionOnAwkwardShapes) {
  using testing_support::make_layer;
  const std::vector<GridCase> grid = {
      {make_layer("3x3", 5, 9, 11, 7, 3, 3, 1, 1), 3, 0.3, 4},
      {make_layer("stride2", 6, 13, 10, 9, 3, 3, 2, 1), 1, 0.5, 32},
      {make_layer("stride4_11x11", 3, 31, 29, 5, 11, 11, 4, 2), 2, 0.2, 2},
      {make_layer("5x5_pad2", 4, 8, 8, 6, 5, 5, 1, 2), 1, 1.0, 3},
      {make_layer("1x1", 17, 6, 5, 33, 1, 1), 3, 0.05, 8},
      {make_layer("groups", 8, 7, 7, 12, 3, 3, 1, 1, 4), 2, 0.6, 2},
      {make_layer("dilation", 3, 12, 12, 4, 3, 3, 1, 2, 1, 2), 1, 0.7, 4},
      {make_layer("empty", 4, 5, 5, 3, 3, 3, 1, 1), 1, 0.0, 2},
  };
  std::mt19937 rng(7);
  for (const auto& g : grid) {
    SCOPED_TRACE(g.layer.name);
    const auto shape = shape_of(g.layer, g.batch);
    const auto weights = pruned_weights(g.layer, g.density, rng);
    std::vector<float> input(std::size_t(g.layer.input_count(g.batch)));
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (auto& x : input) x = value(rng);
    for (const auto border : {kernels::codegen::Border::padded, kernels::codegen::Border::predicated}) {
      SCOPED_TRACE(border == kernels::codegen::Border::padded ? "padded" : "predicated");
      const auto programs = kernels::codegen::build_programs(shape, weights.data(), g.channels_per_block, border);
      std::int64_t nonzeros = 0;
      for (const auto& block : programs) {
        nonzeros += block.nonzeros();
        EXPECT_LE(block.channels, g.channels_per_block);
        // A block never crosses a group.
        const int outputs = g.layer.outputs_per_group();
        EXPECT_EQ(block.k_begin / outputs, (block.k_begin + block.channels - 1) / outputs);
      }
      EXPECT_EQ(nonzeros, std::count_if(weights.begin(), weights.end(), [](float w) { return w != 0.0f; }));
      std::vector<int> writes;
      const auto got = run_programs(shape, programs, input, writes);
      const auto want = reference_conv_cpu(g.layer, g.batch, input, weights);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(writes[i], 1) << "output " << i << " written " << writes[i] << " times";
        ASSERT_NEAR(got[i], want[i], 1e-9 * (1.0 + std::abs(want[i]))) << "output " << i;
      }
    }
  }
}

TEST(Codegen, SplitTapsAddUpToTheConvolutionAndShareTheNonzeros) {
  const Layer layer = testing_support::make_layer("split", 6, 9, 9, 8, 3, 3, 1, 1);
  std::mt19937 rng(13);
  const auto weights = pruned_weights(layer, 0.6, rng);
  const auto shape = shape_of(layer, 2);
  std::vector<float> input(std::size_t(layer.input_count(2)));
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (auto& x : input) x = value(rng);
  const auto blocks = kernels::codegen::build_programs(shape, weights.data(), 8, kernels::codegen::Border::padded);
  ASSERT_EQ(blocks.size(), 1u);
  for (const int parts : {1, 2, 3, 8}) {
    SCOPED_TRACE(parts);
    const auto split = kernels::codegen::split_taps(blocks[0], parts);
    EXPECT_EQ(int(split.size()), parts);
    std::int64_t nonzeros = 0, largest = 0;
    std::vector<double> sum(std::size_t(layer.output_count(2)), 0.0);
    for (const auto& part : split) {
      nonzeros += part.nonzeros();
      largest = std::max(largest, part.nonzeros());
      std::vector<int> writes;
      const auto partial = run_programs(shape, {part}, input, writes);
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += partial[i];
    }
    EXPECT_EQ(nonzeros, blocks[0].nonzeros());
    // About equal shares: no part holds more than its share plus one tap (at most 8 weights here).
    EXPECT_LE(largest, blocks[0].nonzeros() / parts + 8);
    const auto want = reference_conv_cpu(layer, 2, input, weights);
    for (std::size_t i = 0; i < sum.size(); ++i) ASSERT_NEAR(sum[i], want[i], 1e-9 * (1.0 + std::abs(want[i])));
  }
  // Adding into the output is FP32 only, and compiles.
  auto options = kernels::codegen::PtxOptions{"sm_90", 128, kernels::ElementType::f32, true};
  const std::string ptx = kernels::codegen::emit_ptx(shape, blocks[0], "e", options);
  EXPECT_NE(ptx.find("red.global.add.f32"), std::string::npos);
  EXPECT_EQ(ptx.find("st.global"), std::string::npos);
  EXPECT_GT(kernels::codegen::compile_ptx(ptx, {"sm_90", 3}).size(), 0u);
  options.element = kernels::ElementType::f16;
  EXPECT_THROW(kernels::codegen::emit_ptx(shape, blocks[0], "e", options), std::invalid_argument);
}

std::string temporary_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / (name + "." + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

long occurrences(const std::string& text, const std::string& what) {
  long n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The SASS of a cubin (empty without cuobjdump), with `what` = "-sass" or "-res-usage".
std::string disassemble(const std::vector<char>& cubin, const std::string& what) {
  const std::string cuobjdump = "/usr/local/cuda/bin/cuobjdump";
  if (!std::filesystem::exists(cuobjdump)) return "";
  const std::string dir = temporary_dir("scbench-codegen-sass");
  const std::string path = dir + "/block.cubin";
  std::ofstream(path, std::ios::binary).write(cubin.data(), std::streamsize(cubin.size()));
  std::string text;
  if (FILE* pipe = popen((cuobjdump + " " + what + " " + path).c_str(), "r")) {
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe)) text += buffer;
    pclose(pipe);
  }
  std::filesystem::remove_all(dir);
  return text;
}

TEST(Codegen, PtxCompilesWithEveryWeightAnFfmaImmediate) {
  const Layer layer = testing_support::make_layer("small", 6, 10, 10, 8, 3, 3, 1, 1);
  std::mt19937 rng(3);
  const auto weights = pruned_weights(layer, 0.4, rng);
  const auto shape = shape_of(layer, 2);
  if (!std::filesystem::exists("/usr/local/cuda/bin/cuobjdump")) GTEST_SKIP() << "no cuobjdump to read the SASS";
  for (const auto border : {kernels::codegen::Border::padded, kernels::codegen::Border::predicated}) {
    const bool padded = border == kernels::codegen::Border::padded;
    SCOPED_TRACE(padded ? "padded" : "predicated");
    const auto programs = kernels::codegen::build_programs(shape, weights.data(), 8, border);
    ASSERT_EQ(programs.size(), 1u);
    const std::string ptx = kernels::codegen::emit_ptx(shape, programs[0], "codegen_block0", {"sm_90", 128});
    const auto cubin = kernels::codegen::compile_ptx(ptx, {"sm_90", 3});
    ASSERT_GT(cubin.size(), 0u);
    const std::string sass = disassemble(cubin, "-sass");
    // FFMA Rd, Ra[.reuse], <immediate>, Rc|RZ: the weight is in the instruction, not a register or a constant
    // bank (RZ: the first product of an accumulator; .reuse: the operand cache holds Ra for the next FFMA).
    const std::regex any_ffma(R"(\bFFMA\b)"),
        immediate_ffma(R"(\bFFMA R\d+, R\d+(\.reuse)?, -?[0-9.]+(e[-+]?\d+)?, (R\d+|RZ)\b)");
    const std::regex load(R"(\bLDG\b)"), predicated_load(R"(@!?P\d+ +LDG\b)");
    long ffma = 0, immediate = 0, loads = 0, predicated = 0;
    std::istringstream lines(sass);
    for (std::string line; std::getline(lines, line);) {
      ffma += std::regex_search(line, any_ffma);
      immediate += std::regex_search(line, immediate_ffma);
      loads += std::regex_search(line, load);
      predicated += std::regex_search(line, predicated_load);
    }
    EXPECT_EQ(ffma, programs[0].nonzeros()) << sass.substr(0, 4000);
    EXPECT_EQ(immediate, ffma) << sass.substr(0, 4000);
    EXPECT_EQ(loads, long(programs[0].taps.size()));
    // Padded input: not one load needs a predicate. Predicated: the taps whose window can leave the input do.
    if (padded)
      EXPECT_EQ(predicated, 0);
    else
      EXPECT_GT(predicated, 0);
  }
}

TEST(Codegen, TheRegisterLimitHoldsInTheCubin) {
  // nvJitLink compiles PTX as relocatable code and ptxas then takes up to 255 registers for straight-line
  // code; .maxnreg must bring it down.
  const auto [shape, programs] =
      generate(testing_support::make_layer("registers", 64, 14, 14, 32, 3, 3, 1, 1), 0.3, 17, 32);
  ASSERT_EQ(programs.size(), 1u);
  kernels::codegen::PtxOptions options;
  options.max_registers = 64;
  const std::string ptx = kernels::codegen::emit_ptx(shape, programs[0], "limited", options);
  EXPECT_NE(ptx.find(".maxnreg 64"), std::string::npos);
  const std::string usage = disassemble(kernels::codegen::compile_ptx(ptx, {"sm_90", 3}), "-res-usage");
  if (usage.empty()) GTEST_SKIP() << "no cuobjdump to read the register count";
  std::smatch match;
  ASSERT_TRUE(std::regex_search(usage, match, std::regex(R"(REG:(\d+))"))) << usage;
  EXPECT_LE(std::stoi(match[1]), 64) << usage;
  EXPECT_GE(std::stoi(match[1]), 32) << "fewer registers than accumulators: " << usage;
}

TEST(Codegen, DeadChannelSkipsBranchOverEachChannelsTaps) {
  // dual_sparse: per input channel with a nonzero weight, one test of its liveness bit and one branch over
  // its taps; one word load per 32 channels, a word ahead; every weight still an FFMA immediate, none duplicated.
  // groups 2: 20 channels each
  const auto [shape, programs] = generate(testing_support::make_layer("skip", 40, 9, 9, 8, 3, 3, 1, 1, 2), 0.3, 21, 4);
  ASSERT_EQ(programs.size(), 2u);  // one block per group
  kernels::codegen::PtxOptions options;
  options.skip_dead_channels = true;
  for (const auto& block : programs) {
    SCOPED_TRACE(block.group);
    std::set<int> channels;
    for (const auto& tap : block.taps) channels.insert(tap.c);
    const std::string ptx = kernels::codegen::emit_ptx(shape, block, "dual", options);
    const auto count = [&](const std::string& what) { return occurrences(ptx, what); };
    EXPECT_EQ(count("@%dead bra $Lchannel"), long(channels.size()));
    EXPECT_EQ(count("\n$Lchannel"), long(channels.size()));
    EXPECT_NE(ptx.find(".param .u64 live_ptr"), std::string::npos);
    // Group 1's channels are 20..39 of the image: words 0 and 1, bit 20 + c of the first.
    const int first = block.group * 20 + *channels.begin();
    EXPECT_NE(ptx.find("and.b32 %bit, %word, " + std::to_string(1u << (first % 32)) + ";"), std::string::npos);
    // Each word after the first is loaded a word ahead, into %next, and taken when its channels open.
    const long words = block.group == 0 ? 1 : 2;
    EXPECT_EQ(count("ld.global.nc.u32 %word"), 1);
    EXPECT_EQ(count("ld.global.nc.u32 %next"), words - 1);
    EXPECT_EQ(count("mov.b32 %word, %next;"), words - 1);
    if (words > 1) {
      EXPECT_LT(ptx.find("ld.global.nc.u32 %next"), ptx.find("@%dead bra $Lchannel"))
          << "loaded before the first branch";
      EXPECT_LT(ptx.find("@%dead bra $Lchannel"), ptx.find("mov.b32 %word, %next;"));
    }
    const auto cubin = kernels::codegen::compile_ptx(ptx, {"sm_90", 3});
    const std::string sass = disassemble(cubin, "-sass");
    if (sass.empty()) continue;  // no cuobjdump here
    long ffma = 0;
    std::istringstream lines(sass);
    for (std::string line; std::getline(lines, line);) ffma += std::regex_search(line, std::regex(R"(\bFFMA\b)"));
    EXPECT_EQ(ffma, block.nonzeros());
  }
}

TEST(Codegen, BarriersComeEveryFewTapsOnlyInFullBlocksAndWhereBranchesHaveRejoined) {
  const auto [shape, programs] = generate(testing_support::make_layer("barriers", 40, 9, 9, 8, 3, 3, 1, 1), 0.3, 29, 8);
  ASSERT_EQ(programs.size(), 1u);
  const auto& block = programs[0];
  const long taps = long(block.taps.size());
  for (const bool skip : {false, true}) {
    SCOPED_TRACE(skip);
    kernels::codegen::PtxOptions options;
    options.skip_dead_channels = skip;
    options.barrier_taps = 16;
    const std::string ptx = kernels::codegen::emit_ptx(shape, block, "barriers", options);
    const long barriers = occurrences(ptx, "@%full bar.sync 0;");
    EXPECT_EQ(occurrences(ptx, "bar.sync"), barriers) << "every barrier is predicated on a full block";
    EXPECT_NE(ptx.find("setp.le.u32 %full"), std::string::npos);
    if (!skip) {
      EXPECT_EQ(barriers, (taps - 1) / 16);  // between taps, never before the first
    } else {
      EXPECT_GT(barriers, 0);
      EXPECT_LE(barriers, (taps - 1) / 16);
      // Each barrier right after a channel's label: every thread has rejoined there.
      std::istringstream lines(ptx);
      std::string previous;
      for (std::string line; std::getline(lines, line); previous = line)
        if (line.find("bar.sync") != std::string::npos) EXPECT_EQ(previous.rfind("$Lchannel", 0), 0u) << previous;
    }
    kernels::codegen::compile_ptx(ptx, {"sm_90", 3});  // throws with the compiler's log if the PTX is bad
  }
  kernels::codegen::PtxOptions pooled;
  pooled.barrier_taps = 16;
  pooled.pool = kernels::PoolGeometry{3, 2, 1, 5, 5};
  EXPECT_THROW(kernels::codegen::emit_ptx(shape, block, "pooled", pooled), std::invalid_argument);
}

TEST(Codegen, AFusedPoolLoopsOverTheWindowAndStoresThePooledMap) {
  // conv 15x15 pooled 3/2 pad 1 to 8x8: one thread per pooled output; the body runs once per window
  // position inside the conv output, and the max starts at 0 (ReLU).
  const Layer layer = testing_support::make_layer("pooled", 6, 15, 15, 7, 3, 3, 1, 1);
  std::mt19937 rng(23);
  const auto weights = pruned_weights(layer, 0.5, rng);
  const auto shape = shape_of(layer, 3);
  for (const auto border : {kernels::codegen::Border::padded, kernels::codegen::Border::predicated})
    for (const auto element : {kernels::ElementType::f32, kernels::ElementType::f16}) {
      const auto programs = kernels::codegen::build_programs(shape, weights.data(), 7, border);
      ASSERT_EQ(programs.size(), 1u);
      kernels::codegen::PtxOptions options;
      options.element = element;
      options.pool = kernels::PoolGeometry{3, 2, 1, 8, 8};
      const std::string ptx = kernels::codegen::emit_ptx(shape, programs[0], "pooled", options);
      EXPECT_EQ(occurrences(ptx, "max.f32 %pool"), 7);
      EXPECT_NE(ptx.find("mov.f32 %pool0, 0f00000000;"), std::string::npos) << "ReLU: the max starts at 0";
      EXPECT_NE(ptx.find("div.u32 %n, %pix, 64;"), std::string::npos) << "pixels are pooled outputs";
      EXPECT_NE(ptx.find("setp.lt.u32 %more, %window, 9;"), std::string::npos);
      EXPECT_NE(ptx.find("setp.ge.u32 %outside, %p, 15;"), std::string::npos) << "clipped to the conv output";
      // Channel 6's pooled plane is 64 elements after channel 5's.
      EXPECT_NE(ptx.find("[%obase+" + std::to_string(6 * 64 * kernels::element_bytes(element)) + "]"),
                std::string::npos);
      EXPECT_GT(kernels::codegen::compile_ptx(ptx, {"sm_90", 3}).size(), 0u);
      options.accumulate = true;
      EXPECT_THROW(kernels::codegen::emit_ptx(shape, programs[0], "pooled", options), std::invalid_argument);
    }
}

TEST(Codegen, ATwoByTwoPoolSpreadsItsWindowOverAdjacentLanes) {
  EXPECT_EQ(kernels::codegen::pool_window_lanes(1), 1);
  EXPECT_EQ(kernels::codegen::pool_window_lanes(2), 4);
  EXPECT_EQ(kernels::codegen::pool_window_lanes(3), 0) << "9 lanes would straddle warps: the loop";
  EXPECT_EQ(kernels::codegen::pool_window_lanes(4), 16);
  EXPECT_EQ(kernels::codegen::pool_window_lanes(6), 0);
  // conv 16x16 pooled 2/2 to 8x8: four lanes per pooled output, one conv output each, a two-step butterfly
  // per channel, then ReLU; only the window's first lane stores.
  const Layer layer = testing_support::make_layer("pooled2", 6, 16, 16, 7, 3, 3, 1, 1);
  std::mt19937 rng(29);
  const auto weights = pruned_weights(layer, 0.5, rng);
  const auto shape = shape_of(layer, 3);
  for (const bool skip : {false, true}) {
    const auto programs = kernels::codegen::build_programs(shape, weights.data(), 7, kernels::codegen::Border::padded);
    ASSERT_EQ(programs.size(), 1u);
    kernels::codegen::PtxOptions options;
    options.skip_dead_channels = skip;
    options.pool = kernels::PoolGeometry{2, 2, 0, 8, 8};
    const std::string ptx = kernels::codegen::emit_ptx(shape, programs[0], "pooled2", options);
    EXPECT_EQ(occurrences(ptx, "shfl.sync.bfly.b32"), 7 * 2);
    EXPECT_EQ(occurrences(ptx, "max.f32 %acc6, %acc6, 0f00000000;"), 1) << "ReLU after the window's max";
    EXPECT_EQ(occurrences(ptx, "%pool"), 0) << "no running max: each lane holds one conv output";
    EXPECT_NE(ptx.find("and.b32 %window, %pix, 3;"), std::string::npos);
    EXPECT_NE(ptx.find("shr.u32 %pix, %pix, 2;"), std::string::npos);
    EXPECT_NE(ptx.find("div.u32 %n, %pix, 64;"), std::string::npos) << "then pixels index pooled outputs";
    EXPECT_EQ(ptx.find("@%done bra $Ldone;"), ptx.find("@%done bra $Ldone;", ptx.find("$Lreduce:")))
        << "past-the-end lanes leave only after the shuffles";
    EXPECT_LT(ptx.find("@%done bra $Lreduce;"), ptx.find("ld.global.nc.f32")) << "and load nothing";
    EXPECT_GT(kernels::codegen::compile_ptx(ptx, {"sm_90", 3}).size(), 0u);
  }
}

TEST(Codegen, Fp16AndBf16KernelsCompileWithHalfWidthOffsets) {
  const Layer layer = testing_support::make_layer("half", 4, 9, 9, 6, 3, 3, 2, 1);
  std::mt19937 rng(11);
  const auto weights = pruned_weights(layer, 0.5, rng);
  const auto shape = shape_of(layer, 3);
  const auto programs = kernels::codegen::build_programs(shape, weights.data(), 6, kernels::codegen::Border::padded);
  ASSERT_EQ(programs.size(), 1u);
  const auto& last_tap = programs[0].taps.back();
  for (const auto element : {kernels::ElementType::f16, kernels::ElementType::bf16}) {
    const std::string ptx = kernels::codegen::emit_ptx(shape, programs[0], "e", {"sm_90", 128, element});
    // Offsets count 2-byte elements; every load is widened, every store narrowed.
    EXPECT_NE(ptx.find("[%base+" + std::to_string(last_tap.offset * 2) + "]"), std::string::npos);
    EXPECT_EQ(ptx.find("ld.global.nc.f32"), std::string::npos);
    EXPECT_NE(ptx.find(element == kernels::ElementType::f16 ? "cvt.f32.f16" : "cvt.f32.bf16"), std::string::npos);
    EXPECT_NE(ptx.find(element == kernels::ElementType::f16 ? "cvt.rn.f16.f32" : "cvt.rn.bf16.f32"), std::string::npos);
    EXPECT_GT(kernels::codegen::compile_ptx(ptx, {"sm_90", 3}).size(), 0u);
  }
}

TEST(Codegen, TheCubinCacheHitsOnTheSecondCompile) {
  const Layer layer = testing_support::make_layer("cache", 3, 6, 6, 4, 3, 3, 1, 1);
  std::mt19937 rng(5);
  const auto weights = pruned_weights(layer, 0.5, rng);
  const auto shape = shape_of(layer, 1);
  const auto programs = kernels::codegen::build_programs(shape, weights.data(), 2, kernels::codegen::Border::padded);
  std::vector<std::string> ptx;
  for (std::size_t i = 0; i < programs.size(); ++i)
    ptx.push_back(kernels::codegen::emit_ptx(shape, programs[i], "e" + std::to_string(i), {"sm_90", 64}));
  const std::string dir = temporary_dir("scbench-cubin-cache");
  const auto first = kernels::codegen::compile_modules(ptx, {"sm_90", 3}, dir, 2);
  const auto second = kernels::codegen::compile_modules(ptx, {"sm_90", 3}, dir, 2);
  ASSERT_EQ(first.size(), programs.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_FALSE(first[i].from_cache);
    EXPECT_GT(first[i].compile_ms, 0.0);
    EXPECT_TRUE(second[i].from_cache);
    EXPECT_EQ(second[i].compile_ms, 0.0);
    EXPECT_EQ(first[i].cubin, second[i].cubin);
  }
  // Another target is another key: nothing is taken from the cache for it.
  const kernels::codegen::CompileTarget sm90{"sm_90", 3};
  EXPECT_NE(kernels::codegen::cubin_cache_key(ptx[0], sm90), kernels::codegen::cubin_cache_key(ptx[0], {"sm_80", 3}));
  EXPECT_NE(kernels::codegen::cubin_cache_key(ptx[0], sm90), kernels::codegen::cubin_cache_key(ptx[0], {"sm_90", 1}));
  EXPECT_NE(kernels::codegen::cubin_cache_key(ptx[0], sm90), kernels::codegen::cubin_cache_key(ptx[1], sm90));
  std::filesystem::remove_all(dir);
}

TEST(Codegen, BadPtxFailsWithTheCompilersLog) {
  try {
    kernels::codegen::compile_ptx(".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry broken() { bogus; }",
                                  {"sm_90", 3});
    FAIL() << "expected a compile error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nvJitLink could not compile"), std::string::npos) << e.what();
  }
}

TEST(Codegen, OffsetsBeyondAnImmediateAreRefused) {
  const ConvShape huge{1, 4096, 512, 512, 8, 3, 3, 510, 510, 1, 1, 1, 0, 0, 1, 1};
  BlockProgram block;
  block.channels = 1;
  EXPECT_THROW(kernels::codegen::emit_ptx(huge, block, "e", {}), std::invalid_argument);
}

}  // namespace
}  // namespace scb
