// The worker pool of run --gpus, with fake workers (tests/fake_worker.sh): every case runs once, a worker
// that crashes or hangs is charged with its case and restarted, and the other worker is not disturbed.
#include <gtest/gtest.h>

#include <map>

#include "harness/cli/worker_pool.hpp"

namespace scb {
namespace {

TEST(WorkerPool, EveryCaseOnceACrashOrHangChargedToItsCaseAndTheWorkerRestarted) {
  const std::string fake = std::string(SCBENCH_SOURCE_DIR) + "/tests/fake_worker.sh";
  const std::vector<WorkerSpec> workers{{"GPU 0", {"bash", fake}, {"CUDA_VISIBLE_DEVICES=0"}},
                                        {"GPU 1", {"bash", fake}, {"CUDA_VISIBLE_DEVICES=1"}}};
  const CaseGroups groups{{"a", "b"}, {"crash", "c"}, {"hang", "d"}, {"e"}, {"f", "g", "h"}};
  std::map<std::string, nlohmann::json> results;
  std::map<std::string, int> seen;
  std::map<std::string, std::string> environments;
  const int restarts = run_worker_pool(
      workers, groups, {2.0},
      [&](const nlohmann::json& result, const std::string& worker) {
        const std::string key = result["case"]["key"];
        ++seen[key];
        results[key] = result;
        results[key]["worker"] = worker;
      },
      [&](const nlohmann::json& environment, const std::string& worker) {
        environments[worker] = environment["gpu"]["uuid"];
      });
  EXPECT_EQ(restarts, 2);
  for (const auto& group : groups)
    for (const auto& key : group) EXPECT_EQ(seen[key], 1) << key << " must run exactly once";
  EXPECT_EQ(results["crash"]["status"], "error");
  EXPECT_NE(results["crash"]["error"].get<std::string>().find("died"), std::string::npos) << results["crash"].dump();
  EXPECT_EQ(results["hang"]["status"], "error");
  EXPECT_NE(results["hang"]["error"].get<std::string>().find("hung"), std::string::npos) << results["hang"].dump();
  for (const char* key : {"a", "b", "c", "d", "e", "f", "g", "h"}) EXPECT_EQ(results[key]["status"], "ok") << key;
  // A group stays with one worker: the case after a crash runs on the restarted worker of the same GPU.
  EXPECT_EQ(results["c"]["worker"], results["crash"]["worker"]);
  EXPECT_EQ(results["a"]["worker"], results["b"]["worker"]);
  EXPECT_EQ(results["c"]["gpu"]["uuid"], "GPU-fake-" + results["c"]["worker"].get<std::string>().substr(4));
  EXPECT_EQ(environments.size(), 2u) << "each worker announced its GPU";
}

}  // namespace
}  // namespace scb
