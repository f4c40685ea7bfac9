// Sweep parsing, case expansion and every validation error: each names file:line and a fix.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/backends/registry.hpp"
#include "harness/cli/plan.hpp"
#include "harness/run/case_runner.hpp"
#include "harness/spec/case.hpp"
#include "harness/spec/network.hpp"
#include "harness/spec/sweep.hpp"
#include "npy_test_file.hpp"

namespace scb {
namespace {

const std::string kValid = R"(name: t
layers:
  - {network: vgg19, names: [conv4_2]}
  - {network: alexnet, tags: [5x5]}
batch: [1, 32]
weight_sparsity: [default, 0.9]
precision: [fp32, fp16]
backends:
  - cudnn
  - {name: cudnn, params: [{algo: implicit_gemm}]}
)";

// Parses `text` (file "t.yaml") and builds its plan, expecting a SpecError at `line` whose
// message contains `problem` and whose fix contains `fix`.
void expect_error(const std::string& text, int line, const std::string& problem, const std::string& fix = "") {
  try {
    const Sweep sweep = parse_sweep(text, "t.yaml");
    build_plan(sweep);
    FAIL() << "expected an error containing '" << problem << "'";
  } catch (const SpecError& e) {
    EXPECT_EQ(e.mark().file, "t.yaml");
    EXPECT_EQ(e.mark().line, line) << e.what();
    EXPECT_NE(e.problem().find(problem), std::string::npos) << e.what();
    EXPECT_NE(e.fix().find(fix), std::string::npos) << e.what();
    EXPECT_FALSE(e.fix().empty()) << "every error says how to fix it: " << e.what();
  }
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(Sweep, ParsesAxesAndExpandsCartesianProduct) {
  const Sweep sweep = parse_sweep(kValid, "t.yaml");
  EXPECT_EQ(sweep.name, "t");
  ASSERT_EQ(sweep.layers.size(), 2u);  // vgg19/conv4_2 and alexnet/conv2 (the only 5x5)
  EXPECT_EQ(sweep.layers[1].id(), "alexnet/conv2");
  const Plan plan = build_plan(sweep);
  EXPECT_EQ(plan.cases.size(), 2u * 2 * 2 * 2 * 2);
  // 'default' resolves to the layer's published sparsity.
  EXPECT_DOUBLE_EQ(plan.cases.back().weight_sparsity, 0.9);
  bool saw_default = false;
  for (const auto& c : plan.cases) saw_default = saw_default || (c.layer.name == "conv2" && c.weight_sparsity == 0.62);
  EXPECT_TRUE(saw_default);
  EXPECT_EQ(sweep.measure.min_samples, 10);
  EXPECT_EQ(sweep.output, "results/local/t.json.gz");
}

TEST(Sweep, CaseKeysAreUniqueAndReadable) {
  const Plan plan = build_plan(parse_sweep(kValid, "t.yaml"));
  std::set<std::string> keys;
  for (const auto& c : plan.cases) EXPECT_TRUE(keys.insert(c.key()).second) << c.key();
  EXPECT_EQ(plan.cases.front().key(), "vgg19/conv4_2 N=1 ws=0.0000 as=0.0000 mask=uniform fp32 NCHW cudnn{}");
}

TEST(Sweep, ExcludeRulesAndFilterDropCases) {
  Sweep sweep = parse_sweep(kValid + "exclude:\n  - {precision: fp16, network: alexnet}\n", "t.yaml");
  Plan plan = build_plan(sweep);
  EXPECT_EQ(plan.excluded, 8u);
  EXPECT_EQ(plan.cases.size(), 24u);
  filter_plan(plan, "vgg19.*N=32 .*algo=implicit_gemm");
  EXPECT_EQ(plan.cases.size(), 4u);
  EXPECT_THROW(filter_plan(plan, "(unclosed"), SpecError);
}

TEST(Sweep, NmMasksFixTheSparsity) {
  const Sweep sweep =
      parse_sweep(replace(kValid, "precision:", "mask: [uniform, {kind: nm, n: 2, m: 4}]\nprecision:"), "t.yaml");
  const Plan plan = build_plan(sweep);
  std::size_t nm = 0;
  for (const auto& c : plan.cases)
    if (c.mask.kind == MaskKind::nm) {
      ++nm;
      EXPECT_DOUBLE_EQ(c.weight_sparsity, 0.5);
    }
  EXPECT_EQ(nm, 16u);  // the two weight_sparsity values collapse into one
  EXPECT_EQ(plan.nm_collapsed, 16u);
}

TEST(SweepErrors, UnknownTopLevelKeySuggestsTheRightOne) {
  expect_error(replace(kValid, "batch:", "batchs:"), 5, "unknown key 'batchs'", "did you mean 'batch'");
}

TEST(SweepErrors, YamlSyntaxError) {
  expect_error(replace(kValid, "batch: [1, 32]", "batch: [1, 32"), 6, "YAML syntax error");
}

TEST(SweepErrors, MissingRequiredKey) {
  expect_error(replace(kValid, "batch: [1, 32]\n", ""), 1, "needs 'batch'", "batch:");
}

TEST(SweepErrors, UnknownNetwork) {
  expect_error(replace(kValid, "network: vgg19", "network: vgg91"), 3, "unknown network 'vgg91'", "vgg19");
}

TEST(SweepErrors, UnknownLayerName) {
  expect_error(replace(kValid, "conv4_2", "conv4-2"), 3, "has no layer 'conv4-2'", "did you mean 'conv4_2'");
}

TEST(SweepErrors, SelectionMatchingNothing) {
  expect_error(replace(kValid, "tags: [5x5]", "tags: [7x7]"), 4, "matches no layer");
}

TEST(SweepErrors, BadNetworkOption) {
  expect_error(replace(kValid, "{network: alexnet, tags: [5x5]}", "{network: resnet50, options: {stride_on: keras}}"),
               4, "cannot be 'keras'", "caffe, torchvision");
}

TEST(SweepErrors, SparsityOutOfRange) {
  expect_error(replace(kValid, "[default, 0.9]", "[default, 1.5]"), 6, "outside [0, 1)");
}

TEST(SweepErrors, NanAndInfinityAreNotSparsities) {
  // nan compares false with every bound, so only an explicit check stops it before mask generation.
  expect_error(replace(kValid, "[default, 0.9]", "[default, nan]"), 6, "finite number");
  expect_error(replace(kValid, "[default, 0.9]", "[default, -inf]"), 6, "finite number");
  expect_error(kValid + "measure: {max_time_s: nan}\n", 11, "finite number");
}

TEST(SweepErrors, IntegersOutsideTheirRangeAreNotNarrowed) {
  expect_error(replace(kValid, "[1, 32]", "[1, 4294967297]"), 5, "outside [1, 4096]");
  expect_error(replace(kValid, "precision:", "mask: [{kind: block, size: 4294967312}]\nprecision:"), 7,
               "outside [1, 256]");
  expect_error(kValid + "measure: {max_samples: 4294967306}\n", 11, "outside [0, 1000000]");
}

TEST(SweepErrors, AKeyThatIsNotAWord) { expect_error(kValid + "{[a]: 1}: 2\n", 11, "a key must be a plain word"); }

TEST(SweepErrors, BadBatch) { expect_error(replace(kValid, "[1, 32]", "[1, -4]"), 5, "batch -4 is outside [1, 4096]"); }

TEST(SweepErrors, UnknownPrecision) {
  expect_error(replace(kValid, "fp16]", "fp8]"), 7, "unknown precision 'fp8'", "bf16");
}

TEST(SweepErrors, MaskKindNeedsParameters) {
  expect_error(replace(kValid, "precision:", "mask: [block]\nprecision:"), 7, "needs a block size",
               "{kind: block, size: 16}");
  expect_error(replace(kValid, "precision:", "mask: [{kind: nm, n: 5, m: 4}]\nprecision:"), 7, "0 <= n <= m");
  expect_error(replace(kValid, "precision:", "mask: [{kind: uniform, size: 4}]\nprecision:"), 7, "does not apply");
}

TEST(SweepErrors, MeasureSettingsOutOfRange) {
  expect_error(kValid + "measure: {min_samples: 5}\n", 11, "at least 10");
  expect_error(kValid + "measure: {l2: warm}\n", 11, "cold or hot");
  expect_error(kValid + "measure: {scope: kernel}\n", 11, "unknown timing scope", "kernel_scope: true");
  expect_error(kValid + "measure: {kernel_runs: 3}\n", 11, "between 10 and 1000");
  expect_error(kValid + "measure: {energy_s: 0.2}\n", 11, "0 (off) or between 1 and 60");
  expect_error(kValid + "measure: {counters: []}\n", 11, "empty");
  EXPECT_EQ(parse_sweep(kValid + "measure: {counters: [dram__bytes_read.sum, lts__t_bytes.sum]}\n", "t.yaml")
                .measure.counters,
            "dram__bytes_read.sum,lts__t_bytes.sum");
  EXPECT_EQ(parse_sweep(kValid, "t.yaml").measure.counters, "lean");
  const Sweep sweep = parse_sweep(kValid + "measure: {energy_s: 1.5, kernel_scope: false}\n", "t.yaml");
  EXPECT_DOUBLE_EQ(sweep.measure.energy_s, 1.5);
  EXPECT_FALSE(sweep.measure.kernel_scope);
}

TEST(SweepTuning, TuneAndParamsAutoAreReadIntoTunedCases) {
  const std::string text = R"(layers: [{network: lenet5, names: [conv2]}]
batch: 1
precision: fp32
backends:
  - {name: direct_sparse, tune: {strategy: anneal, budget: {evaluations: 40, seconds: 60}}}
  - {name: direct_sparse, params: auto}
  - cudnn
)";
  const Plan plan = build_plan(parse_sweep(text, "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 3u);
  ASSERT_TRUE(plan.cases[0].tune.has_value());
  EXPECT_EQ(plan.cases[0].tune->strategy, "anneal");
  EXPECT_EQ(plan.cases[0].tune->evaluations, 40);
  EXPECT_DOUBLE_EQ(plan.cases[0].tune->seconds, 60.0);
  EXPECT_FALSE(plan.cases[0].tune->cached);
  EXPECT_NE(plan.cases[0].key().find("direct_sparse{tune=anneal}"), std::string::npos) << plan.cases[0].key();
  ASSERT_TRUE(plan.cases[1].tune.has_value());
  EXPECT_TRUE(plan.cases[1].tune->cached) << "params: auto reads the cache and tunes on a miss";
  EXPECT_NE(plan.cases[1].key().find("direct_sparse{auto}"), std::string::npos);
  EXPECT_FALSE(plan.cases[2].tune.has_value());
}

TEST(SweepTuning, BadTuningSpecsSayWhatToWrite) {
  const std::string head = "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nbackends:\n";
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: anneal}}\n", 5, "needs a budget", "evaluations");
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: hill_climb, budget: {evaluations: 5}}}\n", 5,
               "unknown tuning strategy 'hill_climb'", "bayes");
  expect_error(
      head + "  - {name: direct_sparse, tune: {strategy: random, budget: {evaluations: 5}}, params: [{pixels: 8}]}\n",
      5, "lists params and is tuned", "params: auto");
  expect_error(head + "  - {name: escort, tune: {strategy: random, budget: {evaluations: 5}}}\n", 5,
               "has no params to tune");
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: random, budget: {evaluations: 0}}}\n", 5,
               "outside [1, 100000]");
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: random, budget: {minutes: 5}}}\n", 5,
               "unknown key 'minutes'", "seconds");
}

TEST(SweepTuning, ASpaceRestrictsTheSearchAndTheOtherParamsKeepTheirDefaults) {
  const std::string text = R"(layers: [{network: lenet5, names: [conv2]}]
batch: 1
precision: fp32
backends:
  - {name: direct_sparse, tune: {strategy: exhaustive, space: {pixels: [1, 2], warps: [2, 4, 8]}}}
)";
  const Plan plan = build_plan(parse_sweep(text, "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 1u);
  const Case& c = plan.cases[0];
  EXPECT_NE(c.key().find("direct_sparse{tune=exhaustive,space=pixels=1|2;warps=2|4|8}"), std::string::npos) << c.key();
  const SearchSpace space = search_space_of(*find_backend("direct_sparse"), c);
  std::size_t searched = 0;
  for (const auto& param : space.params()) {
    if (param.name == "pixels") EXPECT_EQ(param.values, (std::vector<std::string>{"1", "2"}));
    if (param.name == "warps") EXPECT_EQ(param.values, (std::vector<std::string>{"2", "4", "8"}));
    if (param.name != "pixels" && param.name != "warps") {
      EXPECT_EQ(param.values.size(), 1u) << param.name << " is not in the space: its default only";
      EXPECT_EQ(param.values.front(), find_backend("direct_sparse")->param(c, param.name));
    }
    searched += param.values.size() > 1;
  }
  EXPECT_EQ(searched, 2u);
  EXPECT_EQ(space.enumerate_allowed().size(), 6u);
}

TEST(SweepTuning, ASpaceWithAnIllegalValueIsAnError) {
  const std::string head = "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nbackends:\n";
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: exhaustive, space: {pixels: [1, 3]}}}\n", 5,
               "tuning space:", "legal values");
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: exhaustive, space: {pixel: [1]}}}\n", 5,
               "tuning space:");
  expect_error(head + "  - {name: direct_sparse, tune: {strategy: exhaustive, space: [1, 2]}}\n", 5,
               "maps params to lists of values");
}

TEST(Sweep, TheChannelActivationPatternIsReadAndNamedInKeys) {
  const Plan plan =
      build_plan(parse_sweep("layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\n"
                             "backends: [cudnn]\nactivation_sparsity: [0.5]\n"
                             "activation_pattern: channel\n",
                             "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 1u);
  EXPECT_EQ(plan.cases[0].activation_pattern, ActivationPattern::channel);
  EXPECT_NE(plan.cases[0].key().find(" as=0.5000ch "), std::string::npos) << plan.cases[0].key();
  expect_error(
      "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nbackends: [cudnn]\n"
      "activation_pattern: planes\n",
      5, "unknown activation_pattern", "channel");
}

TEST(Sweep, FuseTimesConvPlusPoolOnlyWhereTheLayerHasAPoolAndABackendFusesIt) {
  // lenet5/conv2 has a pool; resnet50/res2a_branch2b has none. cudnn and the ECR baseline time conv alone.
  const std::string head =
      "layers: [{network: lenet5, names: [conv2]}, {network: resnet50, names: [res2a_branch2b]}]\n"
      "batch: 1\nprecision: fp32\nfuse: [none, pool]\n";
  expect_error(head + "backends: [ecr]\n", 5, "times the convolution alone", "exclude: [{backend: ecr, fuse: pool}]");
  const Plan plan =
      build_plan(parse_sweep(head + "backends: [ecr]\nexclude: [{backend: ecr, fuse: pool}]\n", "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 2u);
  EXPECT_EQ(plan.unfusable, 1u) << "res2a_branch2b has no pool to fuse";
  EXPECT_EQ(plan.excluded, 1u);
  for (const auto& c : plan.cases) {
    EXPECT_EQ(c.fuse, Fuse::none);
    EXPECT_EQ(c.key().find("fuse="), std::string::npos) << "unfused keys stay as they were: " << c.key();
  }
  Case fused = plan.cases[0];
  fused.fuse = Fuse::pool;
  EXPECT_NE(fused.key().find(" mask=uniform fuse=pool "), std::string::npos) << fused.key();
  EXPECT_NE(fused.key(), plan.cases[0].key());
  EXPECT_EQ(fused.data_key(), plan.cases[0].data_key()) << "the same data: one FP64 convolution serves both";
  EXPECT_EQ(fused.input_key(), plan.cases[0].input_key()) << "the same input";
  // lenet5/conv2: 8 x 8 output, pooled 2/2 to 4 x 4.
  EXPECT_EQ(fused.output_height(), 4);
  EXPECT_EQ(fused.output_count(), 50 * 4 * 4);
  expect_error(
      "layers: [{network: resnet50, names: [res2a_branch2b]}]\nbatch: 1\nprecision: fp32\nfuse: [pool]\n"
      "backends: [ecr]\n",
      0, "no layer of the sweep has a pool");
  expect_error(
      "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nfuse: [both]\n"
      "backends: [ecr]\n",
      4, "unknown fuse 'both'", "none, pool");
  // A published speedup of fused cases names them with +pool.
  const Sweep with_published =
      parse_sweep(head +
                      "backends: [pecr, cudnn]\npublished: {source: x, speedups: [{sparse: \"pecr+pool fp32\", "
                      "baseline: \"cudnn+pool fp16\", speedup: 4.3}]}\n",
                  "t.yaml");
  EXPECT_EQ(with_published.published.speedups.at(0).sparse, "pecr+pool fp32");
}

TEST(Sweep, SelectionsTakeConvolutionsUnlessTheyNameOtherOps) {
  const std::string axes = "batch: 1\nprecision: fp32\nweight_sparsity: [0.5, 0.9]\nbackends: [cudnn]\n";
  const Sweep convs = parse_sweep("layers: [lenet5]\n" + axes, "t.yaml");
  ASSERT_EQ(convs.layers.size(), 2u) << "pool1, pool2 and prob are left out by default";
  const Sweep all = parse_sweep("layers: [{network: lenet5, ops: [conv, pool, softmax]}]\n" + axes, "t.yaml");
  ASSERT_EQ(all.layers.size(), 5u);
  // No weights: the weight-sparsity and mask axes give a pool or softmax layer one case each.
  const Plan expanded = expand_cases(all);
  std::size_t weightless = 0;
  for (const auto& c : expanded.cases) {
    if (c.layer.op == LayerOp::conv) continue;
    ++weightless;
    EXPECT_EQ(c.weight_sparsity, 0.0);
    EXPECT_EQ(c.key().find("ws="), std::string::npos) << c.key();
  }
  EXPECT_EQ(weightless, 3u);
  EXPECT_EQ(expanded.cases.size(), 2u * 2 + 3);
  // cudnn computes convolutions only: the sweep's pool layers then have no backend.
  expect_error("layers: [{network: lenet5, ops: [pool]}]\n" + axes, 0,
               "lenet5/pool1 is a pool layer, which no backend");
  expect_error("layers: [{network: lenet5, names: [pool1]}]\n" + axes, 1, "is a pool layer, which this selection",
               "ops: [pool]");
  expect_error("layers: [{network: lenet5, ops: [norm]}]\n" + axes, 1, "unknown op 'norm'", "conv, pool, softmax");
  expect_error("layers: [{network: lenet5, tags: [pool]}]\n" + axes, 1, "matches no layer", "ops");
  // Transforms: the input tensor of each selected layer, as a layer of its own.
  const Sweep with_inputs = parse_sweep("layers: [{network: lenet5, ops: [conv, transform]}]\n" + axes, "t.yaml");
  ASSERT_EQ(with_inputs.layers.size(), 4u);
  EXPECT_EQ(with_inputs.layers[1].id(), "lenet5/conv1/input");
  EXPECT_EQ(with_inputs.layers[1].op, LayerOp::transform);
  EXPECT_EQ(with_inputs.layers[3].C, 20) << "conv2's input: 20 x 12 x 12";
  EXPECT_EQ(with_inputs.layers[3].P(), 12);
  const Sweep only_inputs =
      parse_sweep("layers: [{network: lenet5, names: [pool1, prob], ops: [transform]}]\n" + axes, "t.yaml");
  ASSERT_EQ(only_inputs.layers.size(), 2u) << "ops: [transform] alone takes the inputs of any named layer";
  EXPECT_EQ(only_inputs.layers[0].id(), "lenet5/pool1/input");
  EXPECT_THROW(parse_network("network: n\nlayers:\n  - {name: t, op: transform}\n", "n.yaml"), SpecError);
  // The transform backend crossed with layouts: a change to its own layout is no case.
  const Plan transforms = build_plan(
      parse_sweep("layers: [{network: lenet5, names: [conv1], ops: [transform]}]\nbatch: 1\nprecision: fp32\n"
                  "layout: [NCHW, NHWC]\nbackends: [{name: transform, params: [{from: NCHW}, {from: NHWC}]}]\n",
                  "t.yaml"));
  ASSERT_EQ(transforms.cases.size(), 2u);
  EXPECT_EQ(transforms.other_op, 2u);
  for (const auto& c : transforms.cases) EXPECT_NE(c.params.at("from"), to_string(c.layout)) << c.key();
}

TEST(Sweep, TheEndToEndScopeIsReadAndNamed) {
  const Sweep sweep = parse_sweep(
      "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\n"
      "backends: [cudnn]\nmeasure: {scope: end_to_end}\n",
      "t.yaml");
  EXPECT_EQ(sweep.measure.scope, TimingScope::end_to_end);
  EXPECT_EQ(to_string(TimingScope::end_to_end), "end_to_end");
  expect_error(
      "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nbackends: [cudnn]\n"
      "measure: {scope: wall}\n",
      5, "unknown timing scope 'wall'", "end_to_end");
}

TEST(Sweep, PublishedSpeedupsAreReadAndChecked) {
  const std::string published =
      "published:\n  source: \"A paper\"\n  speedups:\n"
      "    - {sparse: \"cudnn{algo=implicit_gemm} fp16\", baseline: \"cudnn fp32\", speedup: 2.5}\n"
      "    - {sparse: \"cudnn fp16\", baseline: \"cudnn fp32\", layer: alexnet/conv2, batch: 32, speedup: 3}\n";
  const Sweep sweep = parse_sweep(kValid + published, "t.yaml");
  EXPECT_EQ(sweep.published.source, "A paper");
  ASSERT_EQ(sweep.published.speedups.size(), 2u);
  EXPECT_EQ(sweep.published.speedups[0].sparse, "cudnn{algo=implicit_gemm} fp16");
  EXPECT_EQ(sweep.published.speedups[1].layer, "alexnet/conv2");
  EXPECT_EQ(sweep.published.speedups[1].batch, 32);
  expect_error(kValid + replace(published, "cudnn fp16", "escort fp16"), 15, "does not run", "add it to 'backends'");
  expect_error(kValid + replace(published, "cudnn fp16", "cudnn"), 15, "not a result label");
  expect_error(kValid + replace(published, "alexnet/conv2", "alexnet/conv9"), 15, "does not select");
  expect_error(kValid + replace(published, "speedup: 3", "speedup: -3"), 15, "must be positive");
}

TEST(PlanErrors, UnknownBackend) {
  expect_error(replace(kValid, "  - cudnn\n", "  - cudnnn\n"), 9, "unknown backend 'cudnnn'", "did you mean 'cudnn'");
}

TEST(PlanErrors, UnknownParamAndIllegalValue) {
  expect_error(replace(kValid, "{algo: implicit_gemm}", "{algorithm: gemm}"), 10, "has no param 'algorithm'",
               "scbench list backends");
  expect_error(replace(kValid, "{algo: implicit_gemm}", "{algo: fastest}"), 10, "cannot be 'fastest'");
}

TEST(PlanErrors, BackendThatCannotRunACaseSaysWhyAndHowToExclude) {
  const std::string text =
      replace(replace(kValid, "  - cudnn\n", "  - im2col_cublas\n"), "precision:", "layout: [NCHW, NHWC]\nprecision:");
  expect_error(text, 10, "im2col_cublas lowers NCHW input only", "exclude: [{backend: im2col_cublas, layout: NHWC}]");
  // With the suggested rule the same sweep is valid.
  const Plan plan = build_plan(parse_sweep(text + "exclude: [{backend: im2col_cublas, layout: NHWC}]\n", "t.yaml"));
  for (const auto& c : plan.cases) EXPECT_FALSE(c.backend == "im2col_cublas" && c.layout == Layout::nhwc);
}

TEST(PlanErrors, BlockedEllNeedsABlockMask) {
  const std::string text =
      "layers: [{network: vgg19, names: [conv4_2]}]\nbatch: 1\nprecision: fp32\n"
      "backends: [{name: im2col_cusparse, params: [{format: blocked_ell}]}]\n";
  expect_error(text, 4, "needs a block-structured mask", "exclude: [{backend: im2col_cusparse, mask: uniform}]");
  expect_error(text + "mask: [{kind: block, size: 12}]\n", 4, "block sizes 8, 16, 32 or 64");
  expect_error(replace(text, "fp32", "bf16") + "mask: [{kind: block, size: 32}]\n", 4, "tf32 and fp16 only");
  expect_error(text + "mask: [{kind: block, size: 32}]\n", 4, "TF32 tensor cores: use precision tf32");
  const Plan plan =
      build_plan(parse_sweep(replace(text, "fp32", "tf32") + "mask: [{kind: block, size: 32}]\n", "t.yaml"));
  EXPECT_EQ(plan.cases.size(), 1u);
  // vgg19/conv1_1 has C*R*S = 27: not a multiple of any ELL block.
  expect_error(replace(replace(text, "conv4_2", "conv1_1"), "fp32", "fp16") + "mask: [{kind: block, size: 8}]\n", 4,
               "multiples of the block size");
}

class MaskFileErrors : public ::testing::Test {
 protected:
  // ctest runs tests in parallel processes: each test gets its own directory.
  std::filesystem::path dir = std::filesystem::path(SCBENCH_TEST_TMP) / "masks" /
                              ::testing::UnitTest::GetInstance()->current_test_info()->name();
  void SetUp() override { std::filesystem::create_directories(dir); }
  // A uint8 .npy file of the given shape: every `keep_every`-th entry one, the rest zero.
  void write_npy(const std::string& name, const std::vector<int>& shape, std::size_t keep_every = 1) {
    testing_support::write_npy_file(dir / name, "|u1", shape, [&](std::size_t i, std::ofstream& out) {
      out.put(i % keep_every == 0 ? '\x01' : '\x00');
    });
  }
  std::string sweep_with_mask() const {
    return "layers: [{network: lenet5, names: [conv2]}]\nbatch: 1\nprecision: fp32\nbackends: [cudnn]\n"
           "mask: [{kind: file, path: \"" +
           (dir / "{network}_{layer}.npy").string() + "\"}]\n";
  }
};

TEST_F(MaskFileErrors, MissingFile) {
  std::filesystem::remove(dir / "lenet5_conv2.npy");
  expect_error(sweep_with_mask(), 5, "does not exist");
}

TEST_F(MaskFileErrors, WrongShape) {
  write_npy("lenet5_conv2.npy", {50, 20, 3, 3});
  expect_error(sweep_with_mask(), 5, "does not match the layer's weight shape (50, 20, 5, 5)");
}

TEST_F(MaskFileErrors, RightShapeIsAccepted) {
  write_npy("lenet5_conv2.npy", {50, 20, 5, 5});
  const Plan plan = build_plan(parse_sweep(sweep_with_mask(), "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 1u);
  EXPECT_EQ(plan.cases[0].mask.label(), "file");
}

TEST_F(MaskFileErrors, CasesCarryTheFilesRealSparsityNotTheSweepsValue) {
  write_npy("lenet5_conv2.npy", {50, 20, 5, 5}, 4);  // every 4th weight kept: 75% sparse
  const Plan plan = build_plan(parse_sweep(sweep_with_mask() + "weight_sparsity: [0.1, 0.5, default]\n", "t.yaml"));
  ASSERT_EQ(plan.cases.size(), 1u) << "three sweep values, one file: one case";
  EXPECT_DOUBLE_EQ(plan.cases[0].weight_sparsity, 0.75);
  EXPECT_NE(plan.cases[0].key().find("ws=0.7500"), std::string::npos) << plan.cases[0].key();
  EXPECT_EQ(plan.file_mask_merged, 2u);
}

TEST(NetworkErrors, ImpossibleShapeNamesTheNetworkFileAndLine) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "layers_bad";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.yaml") << "network: bad\nlayers:\n  - {name: ok, C: 4, H: 8, W: 8, K: 4, R: 3}\n"
                                     "  - {name: huge, C: 4, H: 4, W: 4, K: 4, R: 7}\n"
                                     "  - {name: grouped, C: 6, H: 8, W: 8, K: 4, R: 3, groups: 4}\n";
  try {
    load_network(dir / "bad.yaml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.mark().line, 4);
    EXPECT_NE(e.problem().find("does not fit"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "bad.yaml")
      << "network: bad\nlayers:\n  - {name: grouped, C: 6, H: 8, W: 8, K: 4, R: 3, groups: 4}\n";
  try {
    load_network(dir / "bad.yaml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.mark().line, 3);
    EXPECT_NE(e.problem().find("divisible by groups"), std::string::npos) << e.what();
  }
  // 2^32 + 8 would narrow to 8 in an int; it must be refused, not read as 8.
  std::ofstream(dir / "bad.yaml") << "network: bad\nlayers:\n  - {name: wide, C: 4294967304, H: 8, W: 8, K: 4, R: 3}\n";
  try {
    load_network(dir / "bad.yaml");
    FAIL();
  } catch (const SpecError& e) {
    EXPECT_EQ(e.mark().line, 3);
    EXPECT_NE(e.problem().find("outside [0, 65536]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(
      parse_network("network: bad\nlayers:\n  - {name: big, C: 65536, H: 65536, W: 65536, K: 4, R: 3}\n", "b.yaml"),
      SpecError);
  EXPECT_THROW(
      parse_network("network: bad\nlayers:\n  - {name: dil, C: 4, H: 8, W: 8, K: 4, R: 65536, dilation: 65536}\n",
                    "b.yaml"),
      SpecError);
  std::ofstream(dir / "bad.yaml")
      << "network: bad\nlayers:\n  - {name: typo, C: 6, H: 8, W: 8, K: 4, R: 3, strde: 2}\n";
  EXPECT_THROW(load_network(dir / "bad.yaml"), SpecError);
}

TEST(NetworkLayers, PoolAndSoftmaxLayersKeepTheirShapeInTheConvFields) {
  const Network net = parse_network(
      "network: ops\nlayers:\n"
      "  - {name: pool1, op: pool, C: 96, H: 55, W: 55, size: 3, stride: 2}\n"
      "  - {name: pool2, op: pool, mode: avg, C: 8, H: 7, W: 7, size: 3, stride: 2, pad: 1}\n"
      "  - {name: prob, op: softmax, classes: 21841}\n"
      "  - {name: conv1, C: 3, H: 8, W: 8, K: 4, R: 3}\n",
      "ops.yaml");
  ASSERT_EQ(net.layers.size(), 4u);
  const Layer& pool = net.layers[0];
  EXPECT_EQ(pool.op, LayerOp::pool);
  EXPECT_EQ(pool.pool_mode, PoolMode::max);
  EXPECT_EQ(pool.K, 96);
  EXPECT_EQ(pool.P(), 27) << "Caffe: ceil((55 - 3) / 2) + 1";
  EXPECT_EQ(pool.weight_count(), 0);
  EXPECT_EQ(pool.dense_flops(2), 2LL * 96 * 27 * 27 * 9) << "one compare per window element";
  const Layer& avg = net.layers[1];
  EXPECT_EQ(avg.pool_mode, PoolMode::avg);
  EXPECT_EQ(avg.P(), 4) << "ceil((7 + 2 - 3) / 2) + 1";
  const Layer& softmax = net.layers[2];
  EXPECT_EQ(softmax.op, LayerOp::softmax);
  EXPECT_EQ(softmax.C, 21841);
  EXPECT_EQ(softmax.output_count(3), 3LL * 21841);
  EXPECT_EQ(softmax.dense_flops(3), 0);
  EXPECT_EQ(net.layers[3].op, LayerOp::conv);
}

TEST(NetworkLayers, KeysOfAnotherKindOfLayerAreErrorsThatSayWhichKindTakesThem) {
  const auto problem_of = [](const std::string& layer) {
    try {
      parse_network("network: ops\nlayers:\n  - " + layer + "\n", "ops.yaml");
    } catch (const SpecError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(problem_of("{name: p, op: pool, C: 4, H: 8, W: 8, size: 2, K: 4}").find("only conv layers take"),
            std::string::npos);
  EXPECT_NE(problem_of("{name: s, op: softmax, classes: 10, size: 2}").find("only pool layers take"),
            std::string::npos);
  EXPECT_NE(problem_of("{name: c, C: 4, H: 8, W: 8, K: 4, R: 3, classes: 10}").find("only softmax layers take"),
            std::string::npos);
  EXPECT_NE(problem_of("{name: s, op: softmax, classes: 10, C: 10}").find("sized by classes alone"), std::string::npos);
  EXPECT_NE(problem_of("{name: p, op: pool, C: 4, H: 8, W: 8, size: 2, mode: median}").find("unknown pool mode"),
            std::string::npos);
  EXPECT_NE(problem_of("{name: p, op: norm, C: 4}").find("use one of: conv, pool, softmax"), std::string::npos);
  EXPECT_NE(problem_of("{name: p, op: pool, C: 4, H: 8, W: 8, size: 2, pad: 2}").find("smaller than size"),
            std::string::npos);
  EXPECT_NE(problem_of("{name: p, op: pool, C: 4, H: 2, W: 2, size: 3}").find("does not fit"), std::string::npos);
  EXPECT_NE(problem_of("{name: p, op: pool, C: 4, H: 8, W: 8}").find("ops.yaml:3"), std::string::npos)
      << "a missing size names the file and line";
}

TEST(SpecErrorText, HasFileLineColumnAndFix) {
  const SpecError e({"a.yaml", 3, 7}, "bad thing", "do this");
  EXPECT_STREQ(e.what(), "a.yaml:3:7: error: bad thing\n  fix: do this");
}

}  // namespace
}  // namespace scb
