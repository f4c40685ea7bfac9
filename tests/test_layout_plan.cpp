// Layout planning (Li et al., SC16): the chain's dynamic programme against totals worked out by hand, and
// `scbench plan-layouts` on a small result document.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "harness/tune/layout_plan.hpp"

namespace scb {
namespace {

TEST(LayoutPlan, SwitchesOnlyWhereTheSavingPaysForTheTransform) {
  // conv1 is much faster in CHWN; conv2 in NCHW; pool in either. Switching back costs 5 us.
  std::vector<LayoutStage> stages{
      {"conv1", {{"NCHW", 100}, {"CHWN", 40}}, {}},
      {"pool1", {{"NCHW", 10}, {"CHWN", 10}}, {{{"CHWN", "NCHW"}, 5}, {{"NCHW", "CHWN"}, 5}}},
      {"conv2", {{"NCHW", 50}, {"CHWN", 80}}, {{{"CHWN", "NCHW"}, 5}, {{"NCHW", "CHWN"}, 5}}},
  };
  auto choice = plan_layouts(stages);
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->layouts, (std::vector<std::string>{"CHWN", "CHWN", "NCHW"}));
  EXPECT_DOUBLE_EQ(choice->total_us, 40 + 10 + 5 + 50);
  EXPECT_DOUBLE_EQ(choice->transform_us, 5);
  EXPECT_DOUBLE_EQ(*single_layout_total(stages, "NCHW"), 160);
  EXPECT_DOUBLE_EQ(*single_layout_total(stages, "CHWN"), 130);
  EXPECT_FALSE(single_layout_total(stages, "NHWC").has_value());
  // A transform of 40 us (before pool1 or before conv2) is dearer than conv2's 30 us saving: stay in CHWN.
  stages[1].transform_us[{"CHWN", "NCHW"}] = 40;
  stages[2].transform_us[{"CHWN", "NCHW"}] = 40;
  choice = plan_layouts(stages);
  EXPECT_EQ(choice->layouts, (std::vector<std::string>{"CHWN", "CHWN", "CHWN"}));
  EXPECT_DOUBLE_EQ(choice->total_us, 130);
  // Without a measured transform, no switch: conv2 then has to stay in the layout it can be reached in.
  stages[1].transform_us.clear();
  stages[2].transform_us.clear();
  stages[1].time_us = {{"NCHW", 10}};
  choice = plan_layouts(stages);
  EXPECT_EQ(choice->layouts, (std::vector<std::string>{"NCHW", "NCHW", "NCHW"}));
  stages[2].time_us = {{"CHWN", 80}};
  EXPECT_FALSE(plan_layouts(stages).has_value()) << "conv2's CHWN cannot be reached from pool1's NCHW";
  EXPECT_FALSE(plan_layouts({}).has_value());
}

nlohmann::json result(const std::string& layer, const std::string& op, const std::string& backend,
                      const std::string& layout, double us, const std::string& from = "") {
  nlohmann::json params = nlohmann::json::object();
  if (!from.empty()) params["from"] = from;
  return {{"status", "ok"},
          {"case",
           {{"network", "lenet5"},
            {"layer", layer},
            {"op", op},
            {"batch", 128},
            {"precision", "fp32"},
            {"layout", layout},
            {"fuse", "none"},
            {"backend", backend},
            {"params", params}}},
          {"timing", {{"median_us", us}}}};
}

TEST(LayoutPlan, TheCommandPlansANetworkFromItsResults) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "plan_layouts";
  std::filesystem::create_directories(dir);
  nlohmann::json results = nlohmann::json::array(
      {result("conv1", "conv", "direct_dense", "CHWN", 40), result("conv1", "conv", "cudnn", "NCHW", 60),
       result("conv1", "conv", "cudnn", "NHWC", 70), result("pool1", "pool", "cudnn_pool", "NCHW", 10),
       result("pool1", "pool", "pool_direct", "CHWN", 8), result("conv2", "conv", "cudnn", "NCHW", 50),
       result("conv2", "conv", "direct_dense", "CHWN", 90), result("pool2", "pool", "cudnn_pool", "NCHW", 5),
       result("prob", "softmax", "cudnn_softmax", "NCHW", 3), result("prob", "softmax", "softmax_fused", "NCHW", 2),
       result("conv2/input", "transform", "transform", "NCHW", 6, "CHWN"),
       result("pool2/input", "transform", "transform", "CHWN", 6, "NCHW")});
  std::ofstream(dir / "r.json") << nlohmann::json{{"environment", nlohmann::json::object()}, {"results", results}};
  const std::string command = std::string(SCBENCH_BINARY) + " plan-layouts " + (dir / "r.json").string() +
                              " --network lenet5 -o " + (dir / "plan.json").string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), int(buffer.size()), pipe)) output += buffer.data();
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  // CHWN for conv1 and pool1 (48 us), one transform (6), then NCHW: 50 + 5 + 2.
  EXPECT_NE(output.find("| planned (transforms 6.0 us) | 111.0 |"), std::string::npos) << output;
  EXPECT_NE(output.find("| all NCHW | 127.0 | 1.14x |"), std::string::npos) << output;
  EXPECT_NE(output.find("| all CHWN | - | - |"), std::string::npos) << "pool2 never ran in CHWN";
  EXPECT_NE(output.find("all CHWN: no total, because pool2, prob never ran in CHWN"), std::string::npos) << output;
  EXPECT_NE(output.find("all NHWC: no total, because pool1, conv2, pool2, prob never ran in NHWC"), std::string::npos)
      << output;
  EXPECT_NE(output.find("best single layout: NCHW, 127.0 us; the plan is 1.14x faster"), std::string::npos) << output;
  EXPECT_NE(output.find("| all cuDNN (its best single layout) | 128.0 | 1.15x |"), std::string::npos) << output;
  EXPECT_NE(output.find("not a run of the network"), std::string::npos);
  std::ifstream written(dir / "plan.json");
  const auto plan = nlohmann::json::parse(written);
  EXPECT_EQ(plan["layers"][1]["layout"], "CHWN");
  EXPECT_EQ(plan["layers"][2]["layout"], "NCHW");
  EXPECT_DOUBLE_EQ(plan["planned_total_us"].get<double>(), 111.0);
  EXPECT_EQ(plan["single_layout_missing"]["CHWN"], nlohmann::json::array({"pool2", "prob"}));
}

}  // namespace
}  // namespace scb
