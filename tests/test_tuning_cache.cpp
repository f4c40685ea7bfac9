// The tuning cache: what its key distinguishes, that a killed writer and concurrent writers lose nothing,
// and that its Kernel Tuner export has that format's documented fields (cache schema 1.1.0).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness/tune/tuning_cache.hpp"

namespace scb {
namespace {

std::filesystem::path fresh_file(const std::string& name) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "tuning_cache";
  std::filesystem::create_directories(dir);
  const auto file = dir / name;
  std::filesystem::remove(file);
  return file;
}

TuningKey sample_key() {
  TuningKey key;
  key.gpu_name = "NVIDIA H200";
  key.sm_count = 132;
  key.memory_clock_mhz = 3201;
  key.driver = "580.159.04";
  key.cuda = "13.0";
  key.libraries = "cudnn 9.14.0";
  key.source_hash = "0123456789abcdef";
  key.backend = "direct_sparse";
  key.shape = {{"C", 512}, {"H", 28}, {"W", 28}, {"K", 512}, {"R", 3}, {"S", 3}, {"P", 28}, {"Q", 28}};
  key.batch = 32;
  key.precision = "fp32";
  key.layout = "NCHW";
  key.mask_fingerprint = "channel_imbalanced 0.9000 seed 1";
  return key;
}

TEST(TuningCache, TheKeyChangesWithEverythingAChoiceDependsOn) {
  const TuningKey base = sample_key();
  EXPECT_EQ(base.hash(), sample_key().hash());
  std::set<std::string> hashes{base.hash()};
  const std::vector<void (*)(TuningKey&)> changes{
      [](TuningKey& k) { k.gpu_name = "NVIDIA H100 80GB HBM3"; },
      [](TuningKey& k) { k.sm_count = 114; },
      [](TuningKey& k) { k.memory_clock_mhz = 2619; },
      [](TuningKey& k) { k.driver = "570.0"; },
      [](TuningKey& k) { k.cuda = "12.8"; },
      [](TuningKey& k) { k.libraries = "cudnn 9.19.0"; },
      [](TuningKey& k) { k.source_hash = "fedcba9876543210"; },
      [](TuningKey& k) { k.backend = "codegen"; },
      [](TuningKey& k) { k.shape["C"] = 256; },
      [](TuningKey& k) { k.batch = 1; },
      [](TuningKey& k) { k.precision = "fp16"; },
      [](TuningKey& k) { k.layout = "NHWC"; },
      [](TuningKey& k) { k.mask_fingerprint = "channel_imbalanced 0.9500 seed 1"; },
      [](TuningKey& k) { k.space = "pixels=1|2"; },
  };
  for (const auto& change : changes) {
    TuningKey changed = sample_key();
    change(changed);
    EXPECT_TRUE(hashes.insert(changed.hash()).second) << changed.to_json().dump();
  }
  // The full space writes no "space": keys written before spaces existed still hit.
  EXPECT_FALSE(base.to_json().contains("space"));
}

TEST(TuningCache, LookupTakesTheFastestChoiceOfTheKeyOnly) {
  TuningCache cache(fresh_file("lookup.jsonl"));
  const TuningKey key = sample_key();
  EXPECT_FALSE(cache.lookup(key).has_value());
  cache.record_choice(key, {{{"pixels", "4"}}, 120.0, "anneal", 40});
  cache.record_choice(key, {{{"pixels", "8"}}, 100.0, "bayes", 40});  // another run found a faster one
  TuningKey other = sample_key();
  other.batch = 1;
  cache.record_choice(other, {{{"pixels", "1"}}, 10.0, "random", 10});
  const auto choice = cache.lookup(key);
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->params["pixels"], "8");
  EXPECT_DOUBLE_EQ(choice->time_us, 100.0);
  EXPECT_EQ(choice->strategy, "bayes");
}

// A writer killed with SIGKILL in the middle of its appends: every complete line survives, a cut one is
// skipped, and the file takes new lines afterwards.
TEST(TuningCache, AKilledWriterLosesNothingItFinished) {
  const auto file = fresh_file("killed.jsonl");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    TuningCache cache(file);
    for (int i = 0;; ++i) cache.record_evaluation(sample_key(), {{"pixels", std::to_string(i)}}, 1.0 + i, "", "random");
  }
  while (true) {  // wait for some lines, then kill without warning
    std::ifstream in(file);
    const auto lines = std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
    if (lines >= 50) break;
    usleep(1000);
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  // A line cut by a crash of another kind (a full disk, a power cut) reads the same way.
  std::ofstream(file, std::ios::app) << R"({"kind": "evaluation", "key_hash": "cut)";
  TuningCache cache(file);
  const auto lines = cache.read_all();
  EXPECT_GE(lines.size(), 50u);
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(lines[i]["params"]["pixels"], std::to_string(i)) << "lines survive in order, none lost before the kill";
  std::ofstream(file, std::ios::app) << "\n";
  cache.record_choice(sample_key(), {{{"pixels", "3"}}, 4.0, "random", 4});
  EXPECT_TRUE(cache.lookup(sample_key()).has_value());
}

TEST(TuningCache, ConcurrentWritersLoseNoEntry) {
  const auto file = fresh_file("concurrent.jsonl");
  constexpr int kWriters = 4, kLines = 200;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      TuningCache cache(file);
      for (int i = 0; i < kLines; ++i)
        cache.record_evaluation(sample_key(), {{"writer", std::to_string(w)}, {"i", std::to_string(i)}}, 1.0, "",
                                "random");
      _exit(0);
    }
    children.push_back(child);
  }
  for (const pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  const auto lines = TuningCache(file).read_all();
  std::set<std::string> seen;
  for (const auto& line : lines)
    seen.insert(line["params"]["writer"].get<std::string>() + "/" + line["params"]["i"].get<std::string>());
  EXPECT_EQ(lines.size(), std::size_t(kWriters * kLines));
  EXPECT_EQ(seen.size(), std::size_t(kWriters * kLines)) << "every writer's every line, none interleaved";
}

TEST(TuningCache, KernelTunerExportHasTheDocumentedFields) {
  TuningCache cache(fresh_file("export.jsonl"));
  const TuningKey key = sample_key();
  cache.record_evaluation(key, {{"pixels", "4"}, {"warps", "8"}}, 250.0, "", "anneal");
  cache.record_evaluation(key, {{"pixels", "8"}, {"warps", "8"}}, std::nullopt, "verification failed", "anneal");
  const auto documents = kernel_tuner_caches(cache.read_all());
  ASSERT_EQ(documents.size(), 1u);
  const auto& [name, doc] = documents[0];
  EXPECT_EQ(name, "direct_sparse_" + key.hash() + ".json");
  for (const char* field : {"schema_version", "device_name", "kernel_name", "problem_size", "tune_params_keys",
                            "tune_params", "objective", "cache"})
    EXPECT_TRUE(doc.contains(field)) << field;
  EXPECT_EQ(doc["schema_version"], "1.1.0");
  EXPECT_EQ(doc["device_name"], "NVIDIA H200");
  EXPECT_EQ(doc["objective"], "time");
  EXPECT_EQ(doc["tune_params_keys"], (nlohmann::json{"pixels", "warps"}));
  EXPECT_EQ(doc["tune_params"]["pixels"], (nlohmann::json{"4", "8"}));
  const auto& ok = doc["cache"]["4,8"];
  EXPECT_DOUBLE_EQ(ok["time"].get<double>(), 0.25) << "Kernel Tuner's times are milliseconds";
  EXPECT_EQ(ok["times"].size(), 1u);
  EXPECT_EQ(ok["pixels"], "4");
  for (const char* field :
       {"time", "compile_time", "verification_time", "benchmark_time", "strategy_time", "framework_time", "timestamp"})
    EXPECT_TRUE(ok.contains(field)) << field;
  EXPECT_EQ(doc["cache"]["8,8"]["time"], "RuntimeFailedConfig");
}

}  // namespace
}  // namespace scb
