// What the backends decide without a GPU: which cases they refuse and which params they reject.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "harness/backends/codegen_auto_rules.hpp"
#include "harness/backends/direct_sparse_tiling.hpp"
#include "harness/backends/registry.hpp"
#include "test_layer_builder.hpp"

namespace scb {
namespace {

using testing_support::make_layer;

Case case_for(const std::string& backend, Precision precision = Precision::fp32) {
  Case c;
  c.layer = make_layer("conv", 64, 28, 28, 96, 3, 3, 1, 1, 1);
  c.batch = 2;
  c.weight_sparsity = 0.9;
  c.backend = backend;
  c.precision = precision;
  return c;
}

TEST(BackendRules, PoolingAndSoftmaxBackendsComputeTheirOpsAndLayouts) {
  Case pool;
  pool.layer = testing_support::make_pool_layer("pool", 8, 13, 13, 3, 2);  // 13 -> 6: cuDNN agrees with Caffe
  pool.batch = 4;
  for (const auto& [name, layout, refused] :
       std::vector<std::tuple<std::string, Layout, bool>>{{"pool_direct", Layout::chwn, false},
                                                          {"pool_direct", Layout::nchw, false},
                                                          {"pool_direct", Layout::nhwc, false},
                                                          {"cudnn_pool", Layout::nhwc, false},
                                                          {"cudnn_pool", Layout::chwn, true}}) {
    const Backend* backend = find_backend(name);
    ASSERT_NE(backend, nullptr) << name;
    EXPECT_EQ(backend->ops(), std::set<LayerOp>{LayerOp::pool}) << name;
    pool.layout = layout;
    pool.backend = name;
    EXPECT_EQ(backend->unsupported(pool).has_value(), refused) << name << " " << to_string(layout);
  }
  pool.layout = Layout::nchw;
  pool.layer.H = pool.layer.W = 14;  // Caffe pools 14 to 7 (the last window cut), cuDNN to 6
  EXPECT_EQ(find_backend("cudnn_pool")->unsupported(pool)->field, "layer");
  Case softmax;
  softmax.layer = testing_support::make_softmax_layer(60000);
  EXPECT_EQ(find_backend("softmax_fused")->unsupported(softmax)->field, "layer") << "a row must fit shared memory";
  softmax.layer = testing_support::make_softmax_layer(21841);
  for (const char* name : {"softmax_fused", "cudnn_softmax", "softmax_caffe"}) {
    EXPECT_EQ(find_backend(name)->ops(), std::set<LayerOp>{LayerOp::softmax}) << name;
    EXPECT_FALSE(find_backend(name)->unsupported(softmax).has_value()) << name;
  }
  softmax.layout = Layout::nhwc;  // N x classes x 1 x 1: the same bytes as NCHW
  for (const char* name : {"softmax_fused", "cudnn_softmax", "softmax_caffe"})
    EXPECT_FALSE(find_backend(name)->unsupported(softmax).has_value()) << name;
  softmax.layout = Layout::chwn;
  for (const char* name : {"softmax_fused", "cudnn_softmax", "softmax_caffe"})
    EXPECT_EQ(find_backend(name)->unsupported(softmax)->field, "layout") << name;
  softmax.layout = Layout::nchw;
  softmax.precision = Precision::tf32;
  for (const char* name : {"softmax_fused", "cudnn_softmax"})
    EXPECT_NE(find_backend(name)->unsupported(softmax)->reason.find("fp32 for a softmax layer"), std::string::npos);
  pool.precision = Precision::tf32;
  EXPECT_EQ(find_backend("pool_direct")->unsupported(pool)->field, "precision");
  softmax.precision = Precision::fp16;
  EXPECT_EQ(find_backend("softmax_caffe")->unsupported(softmax)->field, "precision") << "Caffe is FP32";
  EXPECT_FALSE(find_backend("softmax_fused")->unsupported(softmax).has_value());
  Case transform;
  transform.layer = pool.layer.input_transform();
  transform.layout = Layout::chwn;
  transform.params = {{"from", "NCHW"}};
  const Backend* transformer = find_backend("transform");
  EXPECT_EQ(transformer->ops(), std::set<LayerOp>{LayerOp::transform});
  EXPECT_FALSE(transformer->unsupported(transform).has_value());
  transform.params = {{"from", "CHWN"}};
  EXPECT_EQ(transformer->unsupported(transform)->field, "layout") << "CHWN to CHWN moves nothing";
}

TEST(BackendRules, EscortIsFp32AndNchwOnly) {
  const Backend* escort = find_backend("escort");
  ASSERT_NE(escort, nullptr);
  EXPECT_FALSE(escort->unsupported(case_for("escort")).has_value());
  const auto fp16 = escort->unsupported(case_for("escort", Precision::fp16));
  ASSERT_TRUE(fp16.has_value());
  EXPECT_NE(fp16->reason.find("FP32 only"), std::string::npos);
  EXPECT_EQ(fp16->field, "precision") << "the exclude hint keys on this field";
  Case nhwc = case_for("escort");
  nhwc.layout = Layout::nhwc;
  EXPECT_TRUE(escort->unsupported(nhwc).has_value());
}

TEST(BackendRules, WhoFusesAPoolAndCudnnOnlyWhereItsRoundingAgrees) {
  const std::set<std::string> fusing{"pecr", "cudnn", "codegen", "dual_sparse"};
  for (const auto& backend : all_backends())
    EXPECT_EQ(backend->fuses_pool(), fusing.count(backend->name()) == 1) << backend->name();
  Case c = case_for("pecr");
  EXPECT_EQ(find_backend("pecr")->unsupported(c)->field, "fuse") << "pecr times conv+pool only";
  c.fuse = Fuse::pool;
  c.layer.pool = PoolShape{2, 2, 0};  // 28 x 28 -> 14 x 14
  EXPECT_FALSE(find_backend("pecr")->unsupported(c).has_value());
  c.backend = "cudnn";
  EXPECT_FALSE(find_backend("cudnn")->unsupported(c).has_value());
  // A 27 x 27 map pooled 2/2: Caffe rounds up to 14, cuDNN down to 13.
  c.layer = make_layer("odd", 64, 27, 27, 96, 3, 3, 1, 1, 1);
  c.layer.pool = PoolShape{2, 2, 0};
  const auto why = find_backend("cudnn")->unsupported(c);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->field, "layer");
  EXPECT_NE(why->reason.find("rounds down"), std::string::npos) << why->reason;
  EXPECT_FALSE(find_backend("pecr")->unsupported(c).has_value()) << "pecr pools with the layer's own windows";
}

TEST(BackendRules, CodegenSplitsOnlyInFp32) {
  const Backend* codegen = find_backend("codegen");
  ASSERT_NE(codegen, nullptr);
  Case c = case_for("codegen", Precision::fp16);
  EXPECT_FALSE(codegen->unsupported(c).has_value());
  c.params = {{"split", "4"}};
  const auto why = codegen->unsupported(c);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->field, "precision");
  c.precision = Precision::fp32;
  EXPECT_FALSE(codegen->unsupported(c).has_value());
  EXPECT_EQ(codegen->unsupported(case_for("codegen", Precision::tf32))->field, "precision");
  // Partial sums cannot be max-pooled; a register limit must leave room beyond the accumulators (a pool
  // whose window the code loops over keeps a running max beside each; a 2x2 window spread over lanes not).
  c.fuse = Fuse::pool;
  c.layer.pool = PoolShape{3, 2, 0};
  EXPECT_EQ(codegen->unsupported(c)->field, "fuse");
  c.params = {{"channels", "32"}, {"registers", "48"}};
  const auto tight = codegen->unsupported(c);
  ASSERT_TRUE(tight.has_value()) << "48 registers for 64 accumulators";
  EXPECT_NE(tight->reason.find("64 accumulators"), std::string::npos) << tight->reason;
  c.layer.pool = PoolShape{2, 2, 0};
  EXPECT_FALSE(codegen->unsupported(c).has_value()) << "lanes: 48 registers for 32 accumulators";
  c.fuse = Fuse::none;
  EXPECT_FALSE(codegen->unsupported(c).has_value()) << "48 registers for 32 accumulators";
  // A block's registers must fit an SM: 1024 threads x 64 (auto at 32 channels) do, x 96 (64 channels) not.
  c.params = {{"threads", "1024"}};
  EXPECT_FALSE(codegen->unsupported(c).has_value());
  c.params = {{"threads", "1024"}, {"channels", "64"}};
  const auto too_many = codegen->unsupported(c);
  ASSERT_TRUE(too_many.has_value());
  EXPECT_NE(too_many->reason.find("65536"), std::string::npos) << too_many->reason;
}

TEST(BackendRules, OnlyDirectDenseReadsChwnAndCudnnSaysItHasNone) {
  for (const auto& backend : all_backends()) {
    if (!backend->ops().count(LayerOp::conv)) continue;  // pooling's CHWN: the test below
    Case c = case_for(backend->name());
    c.layout = Layout::chwn;
    if (backend->name() == "pecr") {  // it times fused cases only
      c.fuse = Fuse::pool;
      c.layer.pool = PoolShape{2, 2, 0};
    }
    if (backend->name() == "cusparselt") {  // built where cuSPARSELt is found; it times 2:4 fp16/bf16 only
      c.precision = Precision::fp16;
      c.mask.kind = MaskKind::nm;
      c.mask.n = 2;
      c.mask.m = 4;
    }
    const auto why = backend->unsupported(c);
    if (backend->name() == "direct_dense") {
      EXPECT_FALSE(why.has_value()) << why->reason;
      continue;
    }
    ASSERT_TRUE(why.has_value()) << backend->name() << " must refuse CHWN";
    EXPECT_EQ(why->field, "layout") << backend->name();
  }
  EXPECT_NE(find_backend("cudnn")
                ->unsupported([] {
                  Case c = case_for("cudnn");
                  c.layout = Layout::chwn;
                  return c;
                }())
                ->reason.find("no CHWN"),
            std::string::npos);
  Case grouped = case_for("direct_dense");
  grouped.layer = make_layer("g2", 16, 8, 8, 16, 3, 3, 1, 1, 2);
  EXPECT_EQ(find_backend("direct_dense")->unsupported(grouped)->field, "layer");
  Case nhwc = case_for("direct_dense");
  nhwc.layout = Layout::nhwc;
  EXPECT_EQ(find_backend("direct_dense")->unsupported(nhwc)->field, "layout");
}

TEST(BackendRules, EcrIsFp32AndNchwOnly) {
  const Backend* ecr = find_backend("ecr");
  ASSERT_NE(ecr, nullptr);
  EXPECT_FALSE(ecr->unsupported(case_for("ecr")).has_value());
  EXPECT_EQ(ecr->unsupported(case_for("ecr", Precision::fp16))->field, "precision");
  Case nhwc = case_for("ecr");
  nhwc.layout = Layout::nhwc;
  EXPECT_EQ(ecr->unsupported(nhwc)->field, "layout");
}

TEST(BackendRules, DirectSparseTakesFp32Fp16Bf16ButNotTf32) {
  const Backend* direct = find_backend("direct_sparse");
  ASSERT_NE(direct, nullptr);
  for (const auto p : {Precision::fp32, Precision::fp16, Precision::bf16})
    EXPECT_FALSE(direct->unsupported(case_for("direct_sparse", p)).has_value()) << to_string(p);
  EXPECT_NE(direct->unsupported(case_for("direct_sparse", Precision::tf32))
                .value_or(Unsupported{})
                .reason.find("use precision fp32"),
            std::string::npos);
}

TEST(BackendRules, DirectSparseParamRuleIsChecked) {
  const Backend* direct = find_backend("direct_sparse");
  EXPECT_FALSE(direct->check_params({{"pixels", "8"}, {"channels_per_warp", "4"}}).has_value());
  const auto broken = direct->check_params({{"pixels", "8"}, {"channels_per_warp", "8"}});
  ASSERT_TRUE(broken.has_value());
  EXPECT_NE(broken->find("pixels * channels_per_warp <= 32"), std::string::npos) << *broken;
  // Defaults fill in the params a sweep leaves out: 4 pixels x 8 channels is allowed, 8 x default 2 too.
  EXPECT_FALSE(direct->check_params({{"channels_per_warp", "8"}}).has_value());
  EXPECT_FALSE(direct->check_params({{"pixels", "8"}}).has_value());
  EXPECT_NE(direct->check_params({{"pixels", "3"}}).value_or("").find("legal values: 4, 1, 2, 8"), std::string::npos);
  // Defaults: 4 pixels x 4 channels; 8 channels with the default pixels is the limit.
  EXPECT_FALSE(direct->check_params({{"channels_per_warp", "8"}}).has_value());
  EXPECT_TRUE(direct->check_params({{"pixels", "8"}, {"channels_per_warp", "8"}}).has_value());
}

TEST(BackendRules, DirectSparseSplitsOnlyInFp32) {
  const Backend* direct = find_backend("direct_sparse");
  Case c = case_for("direct_sparse", Precision::fp16);
  c.params = {{"split", "4"}};
  EXPECT_NE(direct->unsupported(c).value_or(Unsupported{}).reason.find("needs precision fp32"), std::string::npos);
  c.precision = Precision::fp32;
  EXPECT_FALSE(direct->unsupported(c).has_value());
}

// ResNet-50 res4a_branch2b on the H100's 132 SMs. At N = 1 the grid is small: the auto chunk shrinks to 16
// channels so that 16 splits fill the SMs (the configuration measured fastest at N = 1); at N = 32, in
// fp16 (no splits) or with the chunk given, it stays as it was.
TEST(BackendRules, DirectSparseSmallGridsSplitIntoSmallerChunks) {
  const Backend* direct = find_backend("direct_sparse");
  Case c = case_for("direct_sparse");
  c.layer = make_layer("res4a_branch2b", 256, 14, 14, 256, 3, 3, 1, 1, 1);
  c.batch = 1;
  auto t = direct_sparse_tiling(*direct, c, 132);
  EXPECT_EQ(t.chunk_channels, 16);
  EXPECT_EQ(t.splits, 16);
  EXPECT_EQ(t.warps, 4);
  c.batch = 32;
  t = direct_sparse_tiling(*direct, c, 132);
  EXPECT_EQ(t.chunk_channels, 62);  // 48 KiB / (11 x 18 floats)
  EXPECT_EQ(t.splits, 1);
  EXPECT_EQ(t.warps, 8);
  c.batch = 1;
  c.precision = Precision::fp16;
  t = direct_sparse_tiling(*direct, c, 132);
  EXPECT_EQ(t.chunk_channels, 62);
  EXPECT_EQ(t.splits, 1);
  c.precision = Precision::fp32;
  c.params = {{"chunk", "64"}};
  t = direct_sparse_tiling(*direct, c, 132);
  EXPECT_EQ(t.chunk_channels, 64);
  EXPECT_EQ(t.splits, 4);  // 4 chunks of 64 channels: no more splits than chunks
}

// codegen's threads "auto" on an H200's 132 SMs: VGG-19 conv4_2 (25088 pixels at N = 32, 16 kernels of 32
// channels, 8 at a time) takes 512; at N = 1 its 784 pixels fill no SM twice, so 128; 96 registers (64
// channels) allow two blocks of 256 only; no register limit, 128.
TEST(BackendRules, CodegenThreadsAutoTakesTheLargestBlockThatStillFillsTheGpu) {
  Case c = case_for("codegen");
  c.layer = make_layer("conv4_2", 512, 28, 28, 512, 3, 3, 1, 1, 1);
  c.batch = 32;
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 1, 8, 132), 512);
  EXPECT_EQ(codegen_threads(c, "auto", 96, 64, 1, 8, 132), 256);
  EXPECT_EQ(codegen_threads(c, "auto", 0, 32, 1, 8, 132), 128) << "255 registers: one block of 256 fills an SM";
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 1, 1, 132), 128) << "one kernel at a time: 49 blocks of 512";
  EXPECT_EQ(codegen_threads(c, "1024", 64, 32, 1, 8, 132), 1024) << "a number is taken as it is";
  c.batch = 1;
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 1, 8, 132), 128);
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 8, 16, 132), 128) << "784 / 256 x 16 kernels = 48 < 264";
  c.batch = 7;
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 1, 8, 132), 128) << "5488 / 512 x 8 = 80, / 256 x 8 = 168 < 264";
  c.batch = 12;
  EXPECT_EQ(codegen_threads(c, "auto", 64, 32, 1, 8, 132), 256) << "9408 / 512 x 8 = 144 < 264 <= 9408 / 256 x 8";
}

TEST(BackendRules, AutoBarrierOnlyForDualSparseWithoutAFusedPool) {
  Case c = case_for("dual_sparse");
  EXPECT_EQ(codegen_barrier_taps(c, "auto", true), 32);
  EXPECT_EQ(codegen_barrier_taps(c, "auto", false), 0) << "codegen";
  EXPECT_EQ(codegen_barrier_taps(c, "128", false), 128) << "a number is taken as it is";
  c.fuse = Fuse::pool;
  EXPECT_EQ(codegen_barrier_taps(c, "auto", true), 0) << "a fused pool skips the body outside the map";
  EXPECT_FALSE(find_backend("dual_sparse")->unsupported(c).has_value()) << "auto is legal with a fused pool";
  c.params = {{"barrier", "32"}};
  ASSERT_TRUE(find_backend("dual_sparse")->unsupported(c).has_value());
  EXPECT_EQ(find_backend("dual_sparse")->unsupported(c)->field, "fuse");
}

TEST(BackendRules, DirectSparseRejectsAStagedChunkThatCannotFit) {
  const Backend* direct = find_backend("direct_sparse");
  Case big = case_for("direct_sparse");
  big.layer = make_layer("alexnet_conv1_like", 64, 227, 227, 96, 11, 11, 4, 0, 1);
  big.params = {{"pixels", "8"}, {"tile_w", "32"}, {"chunk", "64"}};
  const auto why = direct->unsupported(big);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->reason.find("KiB of shared memory"), std::string::npos) << why->reason;
  EXPECT_EQ(why->field, "layer");
  big.params = {{"pixels", "8"}, {"tile_w", "32"}};  // auto chunk shrinks to fit
  EXPECT_FALSE(direct->unsupported(big).has_value()) << direct->unsupported(big).value_or(Unsupported{}).reason;
}

}  // namespace
}  // namespace scb
