#pragma once
// Merging the result documents of a sweep's shards (or of workers on several GPUs) into one.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace scb {

class MergeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MergeInput {
  std::string file;
  nlohmann::json document;
};

struct MergeOutcome {
  nlohmann::json document;              // the merged document; every result says which GPU ran it
  std::vector<std::string> duplicates;  // case keys found in more than one input (the first is kept)
  std::vector<std::string> missing;     // planned case keys found in no input (when the plan is known)
};

// Refuses (MergeError) inputs of different sweeps (content hash) or tool versions, and of different GPU
// models unless `allow_mixed_gpus`. `planned_keys`, when given, are the plan's case keys: those missing are
// listed.
MergeOutcome merge_documents(const std::vector<MergeInput>& inputs, bool allow_mixed_gpus,
                             const std::vector<std::string>* planned_keys = nullptr);

}  // namespace scb
