// The scbench command line, run as a user would run it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "harness/gpu/device.hpp"
#include "harness/cli/plan.hpp"
#include "harness/cli/sharding.hpp"
#include "harness/report/json_file.hpp"
#include "harness/spec/sweep.hpp"
#include "harness/tune/tuning_cache.hpp"

namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Outcome run(const std::string& arguments) {
  Outcome outcome;
  const std::string command = std::string(SCBENCH_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), int(buffer.size()), pipe)) outcome.output += buffer.data();
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string source(const std::string& relative) { return std::string(SCBENCH_SOURCE_DIR) + "/" + relative; }

TEST(Cli, HelpOnEveryCommand) {
  for (const std::string command : {"--help", "run --help", "list --help"}) {
    const Outcome o = run(command);
    EXPECT_EQ(o.exit_code, 0) << command;
    EXPECT_NE(o.output.find("Usage"), std::string::npos) << o.output;
  }
  EXPECT_NE(run("run --help").output.find("--dry-run"), std::string::npos);
  EXPECT_NE(run("run --help").output.find("--resume"), std::string::npos);
}

TEST(Cli, BadArgumentsExitWith2) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("list nothing").exit_code, 2);
  EXPECT_EQ(run("run /no/such/file.yaml").exit_code, 2);
}

TEST(Cli, ListLayersNetworksBackends) {
  const Outcome layers = run("list layers --network alexnet");
  EXPECT_EQ(layers.exit_code, 0);
  EXPECT_NE(layers.output.find("alexnet/conv1"), std::string::npos);
  EXPECT_NE(layers.output.find("  55 "), std::string::npos) << layers.output;
  const Outcome networks = run("list networks");
  for (const char* name : {"lenet5", "alexnet", "googlenet", "vgg16", "vgg19", "resnet50", "kim_cnn", "dong2020"})
    EXPECT_NE(networks.output.find(name), std::string::npos) << name;
  const Outcome backends = run("list backends");
  EXPECT_NE(backends.output.find("cudnn"), std::string::npos);
  EXPECT_NE(backends.output.find("im2col_cublas"), std::string::npos);
  EXPECT_NE(backends.output.find("implicit_precomp_gemm"), std::string::npos);
  EXPECT_EQ(run("list layers --network nonet").exit_code, 2);
}

TEST(Cli, DryRunPrintsThePlanOfQuickYaml) {
  const Outcome o = run("run " + source("configs/quick.yaml") + " --dry-run");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("cases over"), std::string::npos);
  EXPECT_NE(o.output.find("alexnet/conv2 N=16"), std::string::npos);
  const Outcome filtered =
      run("run " + source("configs/quick.yaml") + " --dry-run --filter 'vgg19/conv4_2 N=16 .* fp16 NCHW'");
  EXPECT_NE(filtered.output.find(": 4 cases"), std::string::npos) << filtered.output;
  // A sweep that does not name counters (quick.yaml) gets the lean set; one that turns them off says so.
  EXPECT_NE(o.output.find("passes: kernel scope 20 runs, counters lean"), std::string::npos) << o.output;
  const Outcome sanitizer = run("run " + source("configs/ci/sanitizer.yaml") + " --dry-run");
  EXPECT_NE(sanitizer.output.find("passes: kernel scope off, counters off"), std::string::npos) << sanitizer.output;
}

TEST(Cli, ExportWritesGoogleBenchmarkJsonAndRejectsWhatIsNotAResult) {
  const std::string out = (std::filesystem::temp_directory_path() / "scbench_export_test.json").string();
  const Outcome o = run("export " + source("results/h200/escort.json.gz") + " -o " + out);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  std::ifstream in(out);
  const auto exported = nlohmann::json::parse(in);
  EXPECT_GT(exported.at("benchmarks").size(), 468u);  // 468 timed cases, each with its samples and a median
  EXPECT_EQ(run("export " + source("configs/quick.yaml") + " -o " + out).exit_code, 2);
}

TEST(Cli, CommandLineOverridesShowInThePlan) {
  const Outcome o = run("run " + source("configs/quick.yaml") +
                        " --dry-run -o /tmp/elsewhere.json --counters off --kernel-scope off");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("output: /tmp/elsewhere.json"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("passes: kernel scope off, counters off"), std::string::npos) << o.output;
  EXPECT_EQ(run("run " + source("configs/quick.yaml") + " --dry-run --kernel-scope sometimes").exit_code, 2);
  EXPECT_NE(run("run " + source("configs/quick.yaml") + " --dry-run --verify-only").output.find("verify only: "),
            std::string::npos);
}

TEST(Cli, TheReadmeExampleSweepIsValid) {
  std::ifstream in(source("README.md"));
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto start = readme.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = readme.find("```", start + 8);
  const auto path = std::filesystem::path(SCBENCH_TEST_TMP) / "readme_example.yaml";
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << readme.substr(start + 8, end - start - 8);
  const Outcome o = run("run " + path.string() + " --dry-run");
  EXPECT_EQ(o.exit_code, 0) << o.output;
}

TEST(Cli, EveryCommittedSweepValidates) {
  int sweeps = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(source("configs"))) {
    if (entry.path().extension() != ".yaml") continue;
    ++sweeps;
    const Outcome o = run("run " + entry.path().string() + " --dry-run");
    // A sweep naming an optional backend that this build lacks (cusparselt) must say so, nothing else.
    if (o.output.find("is not built into this scbench") != std::string::npos) {
      EXPECT_EQ(o.exit_code, 2);
      continue;
    }
    EXPECT_EQ(o.exit_code, 0) << entry.path() << "\n" << o.output;
  }
  EXPECT_GE(sweeps, 10);
}

TEST(Cli, InvalidSweepExits2WithFileLineAndFixAndWritesNothing) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "cli";
  std::filesystem::create_directories(dir);
  const auto sweep = dir / "bad.yaml";
  const auto output = dir / "bad.json";
  std::filesystem::remove(output);
  std::ofstream(sweep)
      << "layers: [alexnet]\nbatch: 1\nprecision: [fp32]\nbackends: [cudnn]\nmeasure: {min_samples: 3}\n"
      << "output: " << output.string() << "\n";
  const Outcome o = run("run " + sweep.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find(sweep.string() + ":5:"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("fix:"), std::string::npos) << o.output;
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_FALSE(std::filesystem::exists(output.string() + ".partial.jsonl"));
}

// A copy of a committed document in which one case is clearly slower: every sample of it 1.5x.
std::string write_slower_copy(const std::string& baseline, const std::filesystem::path& output,
                              std::string& slowed_key) {
  auto document = scb::read_result_document(baseline);
  for (auto& r : document["results"]) {
    if (r["status"] != "ok") continue;
    auto& timing = r["timing"];
    for (auto& sample : timing["samples_us"]) sample = sample.get<double>() * 1.5;
    for (const char* field : {"median_us", "mean_us", "min_us", "max_us", "p10_us", "p90_us"})
      timing[field] = timing[field].get<double>() * 1.5;
    slowed_key = r["case"]["key"];
    break;
  }
  scb::write_text_file_atomically(output, document.dump());
  return output.string();
}

TEST(Cli, CompareFailsOnARealSlowdownOnly) {
  const std::string baseline = source("results/h200/ci-baseline.json.gz");
  std::string slowed_key;
  const std::string slower =
      write_slower_copy(baseline, std::filesystem::path(SCBENCH_TEST_TMP) / "slower.json.gz", slowed_key);
  const Outcome failed = run("compare " + baseline + " " + slower + " --fail-on-slower");
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("1 slower"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find(slowed_key.substr(0, 30)), std::string::npos) << "the slower case is named";
  const Outcome reported = run("compare " + baseline + " " + slower);
  EXPECT_EQ(reported.exit_code, 0) << "without --fail-on-slower a slowdown is reported, not fatal";
  const Outcome same = run("compare " + baseline + " " + baseline + " --fail-on-slower");
  EXPECT_EQ(same.exit_code, 0) << same.output;
}

TEST(Cli, CompareExitCodes) {
  const std::string quick = source("results/h200/quick.json.gz");
  const Outcome same = run("compare " + quick + " " + quick + " --fail-on-slower");
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("0 slower"), std::string::npos);
  const Outcome markdown = run("compare " + quick + " " + quick + " --markdown");
  EXPECT_NE(markdown.output.find("### scbench comparison: no slower case"), std::string::npos);
  const auto not_results = std::filesystem::path(SCBENCH_TEST_TMP) / "not_results.json";
  std::filesystem::create_directories(not_results.parent_path());
  std::ofstream(not_results) << "{\"hello\": 1}";
  const Outcome bad = run("compare " + quick + " " + not_results.string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("not an scbench result document"), std::string::npos);
}

TEST(Cli, TuneExportsTheCacheInKernelTunersFormat) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "tune_export";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto cache_file = dir / "cache.jsonl";
  scb::TuningKey key;
  key.gpu_name = "NVIDIA H200";
  key.backend = "direct_sparse";
  key.shape = {{"K", 50}, {"P", 8}, {"Q", 8}};
  scb::TuningCache cache(cache_file);
  cache.record_evaluation(key, {{"pixels", "4"}}, 12.5, "", "random");
  cache.record_evaluation(key, {{"pixels", "8"}}, std::nullopt, "incorrect: max error 0.3", "random");
  const Outcome o =
      run("tune --tuning-cache " + cache_file.string() + " --export-kernel-tuner " + (dir / "kt").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  const auto exported = dir / "kt" / ("direct_sparse_" + key.hash() + ".json");
  ASSERT_TRUE(std::filesystem::exists(exported)) << o.output;
  const auto doc = scb::read_json_file(exported);
  EXPECT_EQ(doc["cache"].size(), 2u);
  EXPECT_EQ(doc["cache"]["8"]["time"], "RuntimeFailedConfig");
  EXPECT_EQ(run("tune").exit_code, 2) << "neither a sweep nor an export";
  EXPECT_EQ(
      run("tune --tuning-cache " + (dir / "empty.jsonl").string() + " --export-kernel-tuner " + dir.string()).exit_code,
      2)
      << "an empty cache has nothing to export";
}

// An exhaustive search of direct_sparse's pixels x channels_per_warp (other params at their defaults),
// recorded as a tuned result; --replay compares the strategies on it without a GPU.
TEST(Cli, TuneReplayComparesStrategiesOnARecordedExhaustiveSearch) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "tune_replay";
  std::filesystem::create_directories(dir);
  nlohmann::json evaluated = nlohmann::json::array();
  const std::vector<std::string> pixels{"1", "2", "4", "8"}, channels{"1", "2", "4", "8"};
  for (std::size_t p = 0; p < pixels.size(); ++p)
    for (std::size_t c = 0; c < channels.size(); ++c) {
      nlohmann::json e = {{"params", {{"pixels", pixels[p]}, {"channels_per_warp", channels[c]}}}};
      if (p == 0 && c == 0)
        e["failure"] = "incorrect";
      else
        e["median_us"] = 100.0 + 10.0 * double((p + 2) % 4) + double(c);
      evaluated.push_back(e);
    }
  nlohmann::json result = nlohmann::json::object();
  result["case"] = {{"key", "vgg19/conv4_2 N=32 direct_sparse{tune=exhaustive}"}, {"backend", "direct_sparse"}};
  result["status"] = "ok";
  result["tuning"] = {{"strategy", "exhaustive"}, {"evaluated", evaluated}, {"best_so_far_us", {120.0, 100.0}}};
  nlohmann::json document = {{"environment", nlohmann::json::object()}, {"results", nlohmann::json::array()}};
  document["results"].push_back(result);
  scb::write_text_file_atomically(dir / "exhaustive.json.gz", document.dump());
  const Outcome o = run("tune --replay " + (dir / "exhaustive.json.gz").string() +
                        " --budget-fraction 0.5 --seeds 3 --replay-output " + (dir / "curves.json.gz").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  for (const char* strategy : {"random", "anneal", "genetic", "bayes"})
    EXPECT_NE(o.output.find(std::string("  ") + strategy), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("of 1 cases within 3%"), std::string::npos) << o.output;
  EXPECT_EQ(scb::read_result_document(dir / "curves.json.gz")["results"].size(), 5u) << "exhaustive + 4 strategies";
  scb::write_text_file_atomically(dir / "none.json.gz", R"({"environment": {}, "results": []})");
  EXPECT_EQ(run("tune --replay " + (dir / "none.json.gz").string()).exit_code, 2);
}

// Two shards of a small sweep, run as a dry run, then their documents merged as a cluster's would be.
TEST(Cli, ShardsSplitThePlanAndMergeJoinsTheirDocuments) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / "shards";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto sweep_file = dir / "small.yaml";
  std::ofstream(sweep_file) << "layers: [{network: lenet5}]\nbatch: [1, 8]\nweight_sparsity: [0.5, 0.9]\n"
                               "precision: fp32\nbackends: [cudnn, im2col_cublas]\noutput: "
                            << (dir / "small.json.gz").string() << "\n";
  const Outcome first = run("run " + sweep_file.string() + " --dry-run --shard 0/2");
  const Outcome second = run("run " + sweep_file.string() + " --dry-run --shard 1/2");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("small.shard-1-of-2.json.gz"), std::string::npos) << first.output;
  EXPECT_NE(second.output.find("small.shard-2-of-2.json.gz"), std::string::npos) << second.output;
  EXPECT_EQ(run("run " + sweep_file.string() + " --dry-run --shard 2/2").exit_code, 2);

  const scb::Sweep sweep = scb::load_sweep(sweep_file);
  const auto plan = scb::build_plan(sweep);
  const auto shard_document = [&](int index) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& c : scb::shard_cases(plan.cases, {index, 2}))
      results.push_back({{"case", {{"key", c.key()}}}, {"status", "ok"}});
    return nlohmann::json{
        {"tool", {{"version", SCBENCH_VERSION}}},
        {"environment", {{"gpu", {{"name", "NVIDIA H200"}, {"uuid", "GPU-" + std::to_string(index)}}}}},
        {"sweep", {{"path", sweep_file.string()}, {"hash", sweep.content_hash}}},
        {"results", results}};
  };
  scb::write_text_file_atomically(dir / "s1.json.gz", shard_document(0).dump());
  scb::write_text_file_atomically(dir / "s2.json.gz", shard_document(1).dump());
  const Outcome merged = run("merge " + (dir / "s1.json.gz").string() + " " + (dir / "s2.json.gz").string() + " -o " +
                             (dir / "all.json.gz").string());
  EXPECT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("complete: all " + std::to_string(plan.cases.size()) + " planned cases"),
            std::string::npos)
      << merged.output;
  EXPECT_EQ(scb::read_result_document(dir / "all.json.gz")["results"].size(), plan.cases.size());
  const Outcome partial = run("merge " + (dir / "s1.json.gz").string() + " -o " + (dir / "part.json.gz").string());
  EXPECT_EQ(partial.exit_code, 1) << "a dead shard's cases are missing";
  EXPECT_NE(partial.output.find("--resume"), std::string::npos) << partial.output;
}

TEST(Cli, TuneDryRunListsOnlyTheTunedCases) {
  const auto sweep = std::filesystem::path(SCBENCH_TEST_TMP) / "tune_dry.yaml";
  std::ofstream(sweep)
      << "layers: [{network: lenet5, names: [conv2]}]\nbatch: [1, 4]\nprecision: fp32\n"
         "backends: [cudnn, {name: direct_sparse, tune: {strategy: random, budget: {evaluations: 4}}}]\n";
  const Outcome tune = run("tune " + sweep.string() + " --dry-run");
  EXPECT_EQ(tune.exit_code, 0) << tune.output;
  EXPECT_NE(tune.output.find(": 2 cases"), std::string::npos) << tune.output;
  EXPECT_NE(tune.output.find("direct_sparse{tune=random}"), std::string::npos);
  EXPECT_EQ(tune.output.find("cudnn{}"), std::string::npos) << "untuned cases are not part of a tuning";
  EXPECT_NE(tune.output.find(".tuning.json.gz"), std::string::npos) << tune.output;
  const Outcome all = run("run " + sweep.string() + " --dry-run");
  EXPECT_NE(all.output.find(": 4 cases"), std::string::npos) << all.output;
}

TEST(Cli, CrossoverRejectsBadInputBeforeAnyGpuWork) {
  const std::string base = "crossover --layer vgg19/conv4_2 --sparse im2col_cusparse";
  Outcome o = run("crossover --layer vgg19/conv4-2 --sparse im2col_cusparse");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("did you mean 'conv4_2'"), std::string::npos) << o.output;
  o = run(base + " --sparse-precision bf16");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("cannot run this case"), std::string::npos) << o.output;
  o = run(base + " --sparse-params format=ell");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("legal values: csr, blocked_ell"), std::string::npos) << o.output;
  o = run(base + " --mask nm");
  EXPECT_EQ(o.exit_code, 2);
  o = run(base + " --dense nosuch");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("unknown backend 'nosuch'"), std::string::npos) << o.output;
  // Activation sparsity as the searched axis: the other sparsity is held, never both searched or both held.
  o = run(base + " --axis bias");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("--axis must be weight or activation"), std::string::npos) << o.output;
  o = run(base + " --weight-sparsity 0.5");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("give --axis activation to hold it fixed"), std::string::npos) << o.output;
  o = run(base + " --axis activation --activation-sparsity 0.5");
  EXPECT_EQ(o.exit_code, 2);
  o = run(base + " --axis activation --weight-sparsity 1.5");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("must be in [0, 1)"), std::string::npos) << o.output;
  o = run(base + " --axis activation --activation-pattern stripes");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.output.find("uniform, clustered or channel"), std::string::npos) << o.output;
  if (!scb::probe_gpu().available) {
    o = run(base + " --sparse-params format=csr");
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_NE(o.output.find("no CUDA GPU found"), std::string::npos) << o.output;
    o = run(base + " --axis activation --weight-sparsity 0.9 --activation-pattern channel");
    EXPECT_EQ(o.exit_code, 1) << "valid: it reaches the GPU check";
  }
}

TEST(Cli, RunWithoutGpuSaysSoAndSuggestsDryRun) {
  if (scb::probe_gpu().available) GTEST_SKIP() << "this machine has a GPU";
  const Outcome o = run("run " + source("configs/quick.yaml") + " -o " + SCBENCH_TEST_TMP + "/nogpu.json");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.output.find("no CUDA GPU found"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("--dry-run"), std::string::npos) << o.output;
}

}  // namespace
