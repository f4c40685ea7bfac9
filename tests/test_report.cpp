// Result JSON, the checkpoint/resume store and the console output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness/report/console.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "sample_results.hpp"

namespace scb {
namespace {

using namespace testing_support;

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(ResultJson, OkResultCarriesUnitsAndDerivedFigures) {
  const auto j = result_to_json(ok_result("cudnn", 0.9, 100.0));
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["case"]["key"], "vgg19/conv4_2 N=32 ws=0.9000 as=0.0000 mask=uniform fp32 NCHW cudnn{}");
  EXPECT_EQ(j["timing"]["samples_us"].size(), 12u);
  EXPECT_NEAR(j["timing"]["median_us"].get<double>(), 100.55, 1e-9);
  const double dense = 2.0 * 32 * 512 * 28 * 28 * 512 * 9;
  EXPECT_EQ(j["derived"]["dense_flops"].get<double>(), dense);
  EXPECT_NEAR(j["derived"]["tflops_useful"].get<double>(), 0.1 * dense / (100.55 * 1e6), 1e-6);
  EXPECT_EQ(j["case"]["shape"]["P"], 28);
}

TEST(ResultJson, IncorrectResultIsNeverTimed) {
  const auto j = result_to_json(incorrect_result());
  EXPECT_EQ(j["status"], "incorrect");
  EXPECT_TRUE(j["timing"].is_null());
  EXPECT_FALSE(j["verify"]["passed"].get<bool>());
  EXPECT_NE(j["error"].get<std::string>().find("rel_l2"), std::string::npos);
}

TEST(ResultStore, CheckpointsEveryResultAndWritesAtomically) {
  const auto dir = fresh_dir("store");
  const auto output = dir / "run.json";
  {
    ResultStore store(output, false);
    store.append(result_to_json(ok_result("cudnn", 0.5, 10)));
    store.append(result_to_json(error_result()));
    // Before the end, the results are already on disk.
    std::ifstream in(store.checkpoint());
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) lines += !line.empty();
    EXPECT_EQ(lines, 2);
    EXPECT_FALSE(std::filesystem::exists(output));
    store.write_final({{"schema_version", 1}});
  }
  EXPECT_FALSE(std::filesystem::exists(ResultStore::checkpoint_path(output)));
  std::ifstream in(output);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["schema_version"], 1);
}

TEST(ResultStore, ResumeSkipsFinishedCasesAndToleratesACutLine) {
  const auto dir = fresh_dir("resume");
  const auto output = dir / "run.json";
  const auto first = result_to_json(ok_result("cudnn", 0.5, 10));
  {
    std::ofstream cp(ResultStore::checkpoint_path(output));
    cp << first.dump() << "\n" << R"({"case": {"key": "cut sh)";  // a crash mid-write
  }
  EXPECT_THROW(ResultStore(output, false), ResultStoreError) << "an unfinished run's results are never discarded silently";
  ResultStore store(output, true);
  EXPECT_EQ(store.resumed_count(), 1u);
  EXPECT_TRUE(store.finished(first["case"]["key"].get<std::string>()));
  store.append(result_to_json(ok_result("im2col_cublas", 0.5, 20)));
  store.write_final({{"schema_version", 1}});
  // Resuming from the final document keeps its results too.
  ResultStore again(output, true);
  EXPECT_EQ(again.resumed_count(), 2u);
}

TEST(Console, SummaryTableHasOneRowPerResult) {
  const std::vector<nlohmann::json> results{result_to_json(ok_result("cudnn", 0.9, 100.0)),
                                            result_to_json(incorrect_result()), result_to_json(error_result())};
  const std::string table = summary_table(results);
  EXPECT_NE(table.find("median_us"), std::string::npos);
  EXPECT_NE(table.find("100.55"), std::string::npos);
  EXPECT_NE(table.find("incorrect"), std::string::npos);
  EXPECT_NE(table.find("cudnn{algo=winograd}"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 5);
  EXPECT_EQ(format_duration(75), "01:15");
  EXPECT_EQ(format_duration(3725), "1:02:05");
}

}  // namespace
}  // namespace scb
