// Network files: shapes and FLOP counts against values computed independently of the loader
// (published tables and hand arithmetic).
#include <gtest/gtest.h>

#include <numeric>

#include "harness/spec/network.hpp"

namespace scb {
namespace {

Network load(const std::string& name, const OptionValues& options = {}) {
  return load_network(default_layers_dir() / (name + ".yaml"), options);
}

const Layer& find(const Network& n, const std::string& name) {
  for (const auto& l : n.layers)
    if (l.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

std::vector<Layer> of_op(const Network& n, LayerOp op) {
  std::vector<Layer> layers;
  for (const auto& l : n.layers)
    if (l.op == op) layers.push_back(l);
  return layers;
}

std::int64_t total_macs(const Network& n) {
  std::int64_t macs = 0;
  for (const auto& l : of_op(n, LayerOp::conv)) macs += l.dense_flops(1) / 2;
  return macs;
}

TEST(Layers, AlexNetConv1Gives55x55AndHanFlops) {
  const Network alexnet = load("alexnet");
  ASSERT_EQ(of_op(alexnet, LayerOp::conv).size(), 5u);
  const Layer& conv1 = find(alexnet, "conv1");
  EXPECT_EQ(conv1.P(), 55);
  EXPECT_EQ(conv1.Q(), 55);
  EXPECT_EQ(conv1.pooled_P(), 27);  // 3x3/2 Caffe pool
  // Han et al. Table 4 FLOP column (2 x MACs), in millions: 211, 448, 299, 224, 150.
  const std::vector<std::pair<std::string, double>> han{
      {"conv1", 211}, {"conv2", 448}, {"conv3", 299}, {"conv4", 224}, {"conv5", 150}};
  for (const auto& [name, mflops] : han) EXPECT_NEAR(find(alexnet, name).dense_flops(1) / 1e6, mflops, 1.0) << name;
  EXPECT_EQ(find(alexnet, "conv2").groups, 2);
  EXPECT_EQ(find(alexnet, "conv2").pooled_P(), 13);
  EXPECT_EQ(find(alexnet, "conv5").pooled_P(), 6);
  EXPECT_DOUBLE_EQ(find(alexnet, "conv2").default_weight_sparsity, 0.62);
  EXPECT_DOUBLE_EQ(find(alexnet, "conv3").default_activation_sparsity, 0.48);  // 1 - Act%(conv2) = 1 - 0.52
}

TEST(Layers, LeNetMatchesHanTable) {
  const Network lenet = load("lenet5");
  EXPECT_EQ(find(lenet, "conv1").dense_flops(1), 576'000);    // Han: 576K
  EXPECT_EQ(find(lenet, "conv2").dense_flops(1), 3'200'000);  // Han: 3200K
  EXPECT_EQ(find(lenet, "conv1").pooled_P(), 12);
  EXPECT_EQ(find(lenet, "conv2").pooled_P(), 4);
}

TEST(Layers, Vgg19Has16ConvsAndVgg16ConvMacsMatchTorchvisionCfg) {
  EXPECT_EQ(of_op(load("vgg19"), LayerOp::conv).size(), 16u);
  const Network vgg16 = load("vgg16");
  ASSERT_EQ(of_op(vgg16, LayerOp::conv).size(), 13u);
  // Independent count from the cfg list [64,64,M,128,128,M,256x3,M,512x3,M,512x3,M] at 224.
  const std::vector<int> cfg{64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1};
  std::int64_t expected = 0;
  int c = 3, h = 224;
  for (const int v : cfg) {
    if (v < 0) {
      h /= 2;
      continue;
    }
    expected += std::int64_t(h) * h * v * c * 9;
    c = v;
  }
  EXPECT_EQ(total_macs(vgg16), expected);
  EXPECT_EQ(expected, 15'346'630'656);  // the well-known 15.35 GMAC of VGG-16's convs
}

TEST(Layers, ResNet50HasAllConvsTaggedAndStridePlacementSelectable) {
  const Network caffe = load("resnet50");
  ASSERT_EQ(caffe.layers.size(), 53u);  // stem + 16 blocks x 3 + 4 projections
  int ones = 0, threes = 0;
  for (const auto& l : caffe.layers) {
    ones += l.has_tag("1x1");
    threes += l.has_tag("3x3");
  }
  EXPECT_EQ(ones, 36);
  EXPECT_EQ(threes, 16);
  const Layer& a = find(caffe, "res3a_branch2a");
  const Layer& b = find(caffe, "res3a_branch2b");
  EXPECT_EQ(a.stride_h, 2);
  EXPECT_EQ(a.P(), 28);
  EXPECT_EQ(b.H, 28);
  EXPECT_EQ(b.stride_h, 1);
  EXPECT_DOUBLE_EQ(b.default_weight_sparsity, 0.9176);

  const Network tv = load("resnet50", {{"stride_on", "torchvision"}});
  EXPECT_EQ(find(tv, "res3a_branch2a").stride_h, 1);
  EXPECT_EQ(find(tv, "res3a_branch2a").P(), 56);
  EXPECT_EQ(find(tv, "res3a_branch2b").H, 56);
  EXPECT_EQ(find(tv, "res3a_branch2b").stride_h, 2);
  EXPECT_EQ(find(tv, "res3a_branch2b").P(), 28);
  // He et al.: about 3.8 GMAC (Caffe). torchvision moves stride onto the 3x3: more MACs (~4.1 G).
  EXPECT_NEAR(total_macs(caffe) / 1e9, 3.8, 0.1);
  EXPECT_NEAR(total_macs(tv) / 1e9, 4.1, 0.1);
  EXPECT_EQ(find(caffe, "conv1").pooled_P(), 56);
}

TEST(Layers, GoogLeNetHasEveryBranchConv) {
  const Network g = load("googlenet");
  EXPECT_EQ(of_op(g, LayerOp::conv).size(), 3u + 9 * 6);
  EXPECT_EQ(find(g, "inception_4e/5x5").C, 32);
  EXPECT_EQ(find(g, "inception_4e/5x5").K, 128);
  EXPECT_EQ(find(g, "conv1/7x7_s2").pooled_P(), 56);
  EXPECT_NEAR(find(g, "inception_4e/3x3").default_weight_sparsity, 0.987, 1e-9);
  // Szegedy et al.: "about 1.5 billion multiply-adds" for the whole network.
  EXPECT_NEAR(total_macs(g) / 1e9, 1.5, 0.1);
}

TEST(Layers, DongOperatorsMatchTable2AtBatch64) {
  const Network d = load("dong2020");
  ASSERT_EQ(d.layers.size(), 10u);
  const std::vector<double> table_mflops{36.8, 204.8, 314.5, 838.8, 419.4, 14797.5, 14797.5, 11098.1, 236760.1, 118380};
  for (std::size_t i = 0; i < 10; ++i)
    EXPECT_NEAR(d.layers[i].dense_flops(64) / 1e6, table_mflops[i], 0.1) << d.layers[i].name;
}

TEST(Layers, KimCnnSequenceLengthIsAnOption) {
  const Network k = load("kim_cnn", {{"seq_len", "40"}});
  ASSERT_EQ(k.layers.size(), 3u);
  EXPECT_EQ(k.layers[0].H, 40);
  EXPECT_EQ(k.layers[0].P(), 38);
  EXPECT_EQ(k.layers[2].P(), 36);
  EXPECT_EQ(k.layers[0].Q(), 1);
  EXPECT_EQ(k.layers[1].K, 100);
  EXPECT_THROW(load("kim_cnn", {{"seq_len", "zero"}}), SpecError);
}

TEST(Layers, EveryNetworkFileLoadsWithValidShapes) {
  for (const auto& name : available_networks(default_layers_dir())) {
    const Network n = load(name);
    EXPECT_FALSE(n.layers.empty()) << name;
    for (const auto& l : n.layers) EXPECT_FALSE(l.shape_problem().has_value()) << l.id();
  }
}

TEST(LayerArithmetic, OutputAndPoolSizes) {
  EXPECT_EQ(conv_output_size(227, 11, 4, 0, 1), 55);
  EXPECT_EQ(conv_output_size(7, 3, 1, 0, 2), 3);    // dilation 2: effective filter 5
  EXPECT_EQ(conv_output_size(2, 5, 1, 0, 1), 0);    // does not fit
  EXPECT_EQ(pool_output_size(112, {3, 2, 0}), 56);  // ceil rule
  EXPECT_EQ(pool_output_size(13, {3, 2, 0}), 6);
  Layer l;
  l.C = 6, l.H = 5, l.W = 5, l.K = 4, l.R = 3, l.S = 3, l.groups = 4;
  EXPECT_TRUE(l.shape_problem().has_value());  // 6 channels do not split into 4 groups
  l.groups = 2;
  EXPECT_FALSE(l.shape_problem().has_value());
  EXPECT_EQ(l.dense_flops(2), 2LL * 2 * 4 * 3 * 3 * (3 * 3 * 3));
}

// Each network file's pooling layers read what the layer before them writes (Caffe's chain), and each
// network ends in its softmax.
TEST(Layers, PoolLayersReadTheirConvsOutputAndEachNetworkEndsInASoftmax) {
  for (const char* name : {"lenet5", "alexnet", "vgg16", "vgg19"}) {
    const Network n = load(name);
    std::size_t pools = 0;
    for (std::size_t i = 1; i < n.layers.size(); ++i) {
      const Layer& layer = n.layers[i];
      if (layer.op != LayerOp::pool) continue;
      ++pools;
      const Layer& conv = n.layers[i - 1];
      ASSERT_TRUE(conv.pool.has_value()) << name << "/" << layer.name << " follows " << conv.name;
      EXPECT_EQ(layer.C, conv.K) << layer.id();
      EXPECT_EQ(layer.H, conv.P()) << layer.id();
      EXPECT_EQ(layer.R, conv.pool->size) << layer.id();
      EXPECT_EQ(layer.P(), conv.pooled_P()) << layer.id() << ": the same Caffe rounding as the fused pool";
    }
    EXPECT_EQ(pools, of_op(n, LayerOp::conv).size() == 2 ? 2u : std::string(name) == "alexnet" ? 3u : 5u) << name;
    EXPECT_EQ(n.layers.back().op, LayerOp::softmax) << name;
  }
  const Network g = load("googlenet");
  EXPECT_EQ(of_op(g, LayerOp::pool).size(), 4u + 9 + 1) << "4 stem/stage pools, 9 branch pools, the final average";
  EXPECT_EQ(find(g, "pool5/7x7_s1").pool_mode, PoolMode::avg);
  EXPECT_EQ(find(g, "pool5/7x7_s1").P(), 1);
  EXPECT_EQ(find(g, "inception_4a/pool").P(), 14) << "3x3/1 pad 1 keeps the map";
  EXPECT_EQ(find(g, "pool3/3x3_s2").P(), 14);
  EXPECT_EQ(find(load("classifiers"), "softmax21841").C, 21841);
}

}  // namespace
}  // namespace scb
