// Shards of a plan (disjoint, complete, balanced by estimated cost, deterministic) and the merge of
// their documents (refusals, duplicates, missing cases, mixed GPUs).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "harness/cli/plan.hpp"
#include "harness/cli/sharding.hpp"
#include "harness/report/merge.hpp"
#include "harness/spec/sweep.hpp"

namespace scb {
namespace {

std::string source(const std::string& relative) { return std::string(SCBENCH_SOURCE_DIR) + "/" + relative; }

TEST(Sharding, ShardsAreDisjointCompleteBalancedAndDeterministic) {
  for (const char* sweep_file :
       {"configs/quick.yaml", "configs/targets/direct_sparse.yaml", "configs/papers/dong2020.yaml"}) {
    const Plan plan = build_plan(load_sweep(source(sweep_file)));
    double total = 0;
    for (const auto& c : plan.cases) total += estimated_cost(c);
    for (const int count : {1, 2, 3, 4, 8}) {
      std::map<std::string, int> owner;          // case key -> shard
      std::map<std::string, int> shard_of_data;  // data key -> shard
      for (int index = 0; index < count; ++index) {
        const auto cases = shard_cases(plan.cases, {index, count});
        double load = 0;
        for (const auto& c : cases) {
          EXPECT_TRUE(owner.emplace(c.key(), index).second) << c.key() << " is in two shards";
          const auto [it, first] = shard_of_data.emplace(c.data_key(), index);
          EXPECT_EQ(it->second, index) << c.data_key() << ": cases that share data are split across shards";
          load += estimated_cost(c);
        }
        EXPECT_LE(std::abs(load / (total / count) - 1.0), 0.10) << sweep_file << " shard " << index << "/" << count;
        EXPECT_EQ(shard_cases(plan.cases, {index, count}).size(), cases.size()) << "deterministic";
      }
      EXPECT_EQ(owner.size(), plan.cases.size()) << sweep_file << ": the shards together are the plan";
    }
  }
}

TEST(Sharding, ShardTextAndOutputNames) {
  EXPECT_EQ(parse_shard("2/4").index, 2);
  EXPECT_EQ(parse_shard("2/4").count, 4);
  for (const char* bad : {"4/4", "-1/4", "1", "a/b", "1/0", "1/4/2"}) EXPECT_THROW(parse_shard(bad), SpecError) << bad;
  EXPECT_EQ(shard_output("results/x.json.gz", {0, 4}), "results/x.shard-1-of-4.json.gz");
  EXPECT_EQ(shard_output("x.json", {3, 4}), "x.shard-4-of-4.json");
}

nlohmann::json document(const std::string& hash, const std::string& version, const std::string& gpu,
                        const std::vector<std::string>& keys) {
  nlohmann::json results = nlohmann::json::array();
  for (const auto& key : keys) results.push_back({{"case", {{"key", key}}}, {"status", "ok"}});
  return {{"tool", {{"version", version}}},
          {"environment", {{"gpu", {{"name", gpu}, {"uuid", "GPU-" + gpu + "-" + keys.front()}}}}},
          {"sweep", {{"hash", hash}, {"shard", {{"index", 0}, {"count", 2}}}}},
          {"results", results}};
}

TEST(Merge, JoinsShardsListsDuplicatesAndMissingAndNamesEachResultsGpu) {
  const std::vector<std::string> planned{"a", "b", "c", "d"};
  const auto outcome = merge_documents(
      {{"s1.json", document("h", "1", "H200", {"a", "b"})}, {"s2.json", document("h", "1", "H200", {"b", "c"})}}, false,
      &planned);
  EXPECT_EQ(outcome.document["results"].size(), 3u);
  EXPECT_EQ(outcome.duplicates, std::vector<std::string>{"b"});
  EXPECT_EQ(outcome.missing, std::vector<std::string>{"d"});
  EXPECT_EQ(outcome.document["results"][2]["gpu"]["uuid"], "GPU-H200-b") << "c came from the second shard";
  EXPECT_FALSE(outcome.document["sweep"].contains("shard"));
  EXPECT_EQ(outcome.document["sweep"]["case_count"], 3);
  EXPECT_EQ(outcome.document["merged_from"].size(), 2u);
}

TEST(Merge, RefusesOtherSweepsToolVersionsAndGpuModelsUnlessAllowed) {
  const auto a = document("h", "1", "H200", {"a"});
  EXPECT_THROW(merge_documents({{"a", a}, {"b", document("other", "1", "H200", {"b"})}}, false), MergeError);
  EXPECT_THROW(merge_documents({{"a", a}, {"b", document("h", "2", "H200", {"b"})}}, false), MergeError);
  const auto h100 = document("h", "1", "H100", {"b"});
  try {
    merge_documents({{"a", a}, {"b", h100}}, false);
    FAIL() << "mixed GPUs merged without being allowed";
  } catch (const MergeError& e) {
    EXPECT_NE(std::string(e.what()).find("--allow-mixed-gpus"), std::string::npos) << e.what();
  }
  const auto mixed = merge_documents({{"a", a}, {"b", h100}}, true);
  EXPECT_EQ(mixed.document["results"][1]["gpu"]["name"], "H100");
  EXPECT_EQ(mixed.document["environment"]["gpus"].size(), 2u);
}

}  // namespace
}  // namespace scb
