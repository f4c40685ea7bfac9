#pragma once
// Splitting a plan into shards that run on different GPUs or hosts: deterministic, disjoint, complete,
// and balanced by an estimate of each case's cost rather than by count.
#include <cstddef>
#include <string>
#include <vector>

#include "harness/spec/case.hpp"

namespace scb {

struct ShardSpec {
  int index = 0;  // 0-based
  int count = 1;
};

// "I/N" with 0 <= I < N; a SpecError otherwise.
ShardSpec parse_shard(const std::string& text);

// What a case is expected to cost, in rough seconds: a fixed part (prepare, verification, the passes)
// plus its dense FLOPs at a modest rate and its input at host speed. Only ratios between cases matter.
double estimated_cost(const Case& c);

// The cases of shard `shard`, in plan order. Cases that share data (layer, batch, sparsities, mask) stay
// together, so no shard makes the same inputs twice; groups go to the least loaded shard, costliest first.
std::vector<Case> shard_cases(const std::vector<Case>& cases, const ShardSpec& shard);

// The output path of a shard: NAME.json.gz -> NAME.shard-I-of-N.json.gz (1-based in the name).
std::string shard_output(const std::string& output, const ShardSpec& shard);

}  // namespace scb
