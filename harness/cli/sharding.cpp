#include "harness/cli/sharding.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "harness/spec/spec_error.hpp"

namespace scb {

ShardSpec parse_shard(const std::string& text) {
  const SourceMark where{"--shard", 0, 0};
  const auto slash = text.find('/');
  ShardSpec shard;
  const auto parse = [&](std::string_view part, int& value) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    return ec == std::errc() && end == part.data() + part.size();
  };
  if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), shard.index) ||
      !parse(std::string_view(text).substr(slash + 1), shard.count) || shard.count < 1 || shard.index < 0 ||
      shard.index >= shard.count)
    throw SpecError(where, "'" + text + "' is not a shard", "write I/N with 0 <= I < N, e.g. --shard 0/4");
  return shard;
}

double estimated_cost(const Case& c) {
  constexpr double kFixedSeconds = 0.05;        // prepare, verification, kernel scope and counters passes
  constexpr double kFlopsPerSecond = 2e12;      // the op's dense work, as timing samples repeat it
  constexpr double kHostValuesPerSecond = 1e8;  // making the input on the host
  const double flops = double(c.layer.dense_flops(c.batch)) * (1.0 - 0.5 * c.weight_sparsity);
  return kFixedSeconds + flops / kFlopsPerSecond + double(c.layer.input_count(c.batch)) / kHostValuesPerSecond;
}

std::vector<Case> shard_cases(const std::vector<Case>& cases, const ShardSpec& shard) {
  // Groups of cases that share data, in order of first appearance.
  std::map<std::string, std::size_t> group_of;
  std::vector<double> group_cost;
  std::vector<std::size_t> case_group(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto [it, inserted] = group_of.emplace(cases[i].data_key(), group_cost.size());
    if (inserted) group_cost.push_back(0.0);
    case_group[i] = it->second;
    group_cost[it->second] += estimated_cost(cases[i]);
  }
  // Costliest group first, to the least loaded shard (ties: the lower group index, the lower shard).
  std::vector<std::size_t> order(group_cost.size());
  for (std::size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return group_cost[a] > group_cost[b]; });
  std::vector<double> load(std::size_t(shard.count), 0.0);
  std::vector<int> shard_of_group(group_cost.size());
  for (const std::size_t g : order) {
    const auto lightest = std::size_t(std::min_element(load.begin(), load.end()) - load.begin());
    shard_of_group[g] = int(lightest);
    load[lightest] += group_cost[g];
  }
  std::vector<Case> mine;
  for (std::size_t i = 0; i < cases.size(); ++i)
    if (shard_of_group[case_group[i]] == shard.index) mine.push_back(cases[i]);
  return mine;
}

std::string shard_output(const std::string& output, const ShardSpec& shard) {
  const std::string tag = ".shard-" + std::to_string(shard.index + 1) + "-of-" + std::to_string(shard.count);
  for (const std::string ending : {".json.gz", ".json"})
    if (output.size() > ending.size() && output.ends_with(ending))
      return output.substr(0, output.size() - ending.size()) + tag + ending;
  return output + tag;
}

}  // namespace scb
