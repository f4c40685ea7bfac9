#include "harness/cli/tune_replay.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "harness/backends/registry.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/json_file.hpp"
#include "harness/tune/replay.hpp"

namespace scb {

namespace {

struct RecordedCase {
  std::string key;
  std::string backend;
  RecordedSearch search;
  nlohmann::json exhaustive_curve;
};

std::vector<RecordedCase> recorded_cases(const std::vector<std::string>& paths) {
  std::vector<RecordedCase> found;
  for (const auto& path : paths) {
    const nlohmann::json document = read_result_document(path);  // named: a loop over a temporary's member dangles
    for (const auto& r : document["results"]) {
      if (!r.contains("tuning") || r["tuning"].value("strategy", "") != "exhaustive") continue;
      const auto& tuning = r["tuning"];
      if (!tuning.contains("evaluated") || tuning["evaluated"].empty()) continue;
      RecordedCase rc;
      rc.key = r["case"]["key"];
      rc.backend = r["case"]["backend"];
      const Backend* backend = find_backend(rc.backend);
      if (!backend) throw JsonFileError(path + ": backend '" + rc.backend + "' is not in this build");
      for (const auto& def : backend->params()) rc.search.params.push_back({def.name, def.values});
      for (const auto& e : tuning["evaluated"]) {
        std::map<std::string, std::string> values;
        for (const auto& def : backend->params()) values[def.name] = e["params"].value(def.name, def.values.front());
        rc.search.medians[values] =
            e.contains("median_us") ? std::optional<double>(e["median_us"].get<double>()) : std::nullopt;
      }
      rc.exhaustive_curve = tuning.value("best_so_far_us", nlohmann::json::array());
      found.push_back(std::move(rc));
    }
  }
  return found;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

int tune_replay_command(const ReplayArgs& args) {
  std::vector<RecordedCase> cases;
  try {
    cases = recorded_cases(args.results);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (cases.empty()) {
    std::fprintf(stderr,
                 "error: no exhaustive search in these results; record one with a backend "
                 "tune: {strategy: exhaustive} (scbench tune SWEEP)\n");
    return 2;
  }
  std::printf("%-70s %7s %6s %-10s %10s %10s\n", "case", "configs", "budget", "strategy", "median gap", "worst gap");
  std::map<std::string, std::vector<double>> per_strategy;  // per case: the median gap over seeds
  nlohmann::json results = nlohmann::json::array();
  for (const auto& rc : cases) {
    const int configs = int(rc.search.medians.size());
    const int budget = std::max(1, int(std::floor(args.budget_fraction * configs)));
    results.push_back({{"case", {{"key", rc.key + "{tune=exhaustive}"}}},
                       {"status", "ok"},
                       {"tuning", {{"strategy", "exhaustive"}, {"best_so_far_us", rc.exhaustive_curve}}}});
    for (const auto strategy : {Strategy::random, Strategy::anneal, Strategy::genetic, Strategy::bayes}) {
      std::vector<double> gaps;
      for (int seed = 1; seed <= args.seeds; ++seed) {
        const ReplayOutcome outcome = replay(rc.search, strategy, {budget, 0}, std::uint64_t(seed));
        gaps.push_back(outcome.gap);
        if (seed == 1)
          results.push_back(
              {{"case", {{"key", rc.key + "{tune=" + to_string(strategy) + "}"}}},
               {"status", "ok"},
               {"tuning", {{"strategy", to_string(strategy)}, {"best_so_far_us", outcome.best_so_far_us}}}});
      }
      const double median_gap = median_of(gaps);
      per_strategy[to_string(strategy)].push_back(median_gap);
      std::printf("%-70s %7d %6d %-10s %9.2f%% %9.2f%%\n", rc.key.substr(0, 70).c_str(), configs, budget,
                  to_string(strategy).c_str(), 100 * median_gap, 100 * *std::max_element(gaps.begin(), gaps.end()));
    }
  }
  std::printf("\nmedian over %zu cases of each case's median gap (%d seeds, %.0f%% of the configs):\n", cases.size(),
              args.seeds, 100 * args.budget_fraction);
  for (const auto& [strategy, gaps] : per_strategy)
    std::printf("  %-10s %6.2f%%  (%ld of %zu cases within 3%%)\n", strategy.c_str(), 100 * median_of(gaps),
                std::count_if(gaps.begin(), gaps.end(), [](double g) { return g <= 0.03; }), gaps.size());
  if (!args.output.empty()) {
    const nlohmann::json document = {
        {"tool", tool_info()},
        {"environment", {{"replayed_from", args.results}}},  // the GPU that measured them is in those files
        {"replay", {{"budget_fraction", args.budget_fraction}, {"seeds", args.seeds}}},
        {"results", results}};
    write_text_file_atomically(args.output, document.dump(1) + "\n");
    std::printf("curves in %s (python3 scripts/report.py tuning %s -o tuning.png)\n", args.output.c_str(),
                args.output.c_str());
  }
  return 0;
}

}  // namespace scb
