#include "harness/report/merge.hpp"

#include <set>

namespace scb {

namespace {

std::string field(const nlohmann::json& document, const char* section, const char* name) {
  if (!document.contains(section) || !document[section].is_object()) return "";
  const auto& s = document[section];
  return s.contains(name) && s[name].is_string() ? s[name].get<std::string>() : "";
}

std::string gpu_name(const nlohmann::json& document) {
  if (!document.contains("environment") || !document["environment"].contains("gpu")) return "";
  return document["environment"]["gpu"].value("name", "");
}

}  // namespace

MergeOutcome merge_documents(const std::vector<MergeInput>& inputs, bool allow_mixed_gpus,
                             const std::vector<std::string>* planned_keys) {
  if (inputs.empty()) throw MergeError("nothing to merge");
  const auto& first = inputs.front();
  for (const auto& input : inputs) {
    if (field(input.document, "sweep", "hash") != field(first.document, "sweep", "hash"))
      throw MergeError(input.file + " comes from another sweep (hash " + field(input.document, "sweep", "hash") +
                       ") than " + first.file + " (hash " + field(first.document, "sweep", "hash") +
                       "): their cases are not one plan");
    if (field(input.document, "tool", "version") != field(first.document, "tool", "version"))
      throw MergeError(input.file + " was written by scbench " + field(input.document, "tool", "version") + ", " +
                       first.file + " by " + field(first.document, "tool", "version") + ": rerun one of them");
    if (gpu_name(input.document) != gpu_name(first.document) && !allow_mixed_gpus)
      throw MergeError(input.file + " ran on " + gpu_name(input.document) + ", " + first.file + " on " +
                       gpu_name(first.document) +
                       ": pass --allow-mixed-gpus to merge them anyway (each result then "
                       "names its GPU)");
  }
  MergeOutcome outcome;
  nlohmann::json merged = first.document;
  merged["results"] = nlohmann::json::array();
  if (merged["sweep"].is_object()) merged["sweep"].erase("shard");
  nlohmann::json sources = nlohmann::json::array();
  std::set<std::string> seen;
  std::set<std::string> gpus;
  for (const auto& input : inputs) {
    const auto& env = input.document.value("environment", nlohmann::json::object());
    const nlohmann::json gpu = {{"name", gpu_name(input.document)},
                                {"uuid", env.contains("gpu") ? env["gpu"].value("uuid", "") : ""}};
    gpus.insert(gpu_name(input.document));
    nlohmann::json source = {{"file", input.file}, {"gpu", gpu}, {"results", input.document["results"].size()}};
    if (input.document.contains("sweep") && input.document["sweep"].contains("shard"))
      source["shard"] = input.document["sweep"]["shard"];
    sources.push_back(source);
    for (const auto& r : input.document["results"]) {
      const std::string key = r["case"]["key"];
      if (!seen.insert(key).second) {
        outcome.duplicates.push_back(key);
        continue;
      }
      nlohmann::json kept = r;
      kept["gpu"] = gpu;
      merged["results"].push_back(std::move(kept));
    }
  }
  merged["merged_from"] = sources;
  if (gpus.size() > 1) merged["environment"]["gpus"] = std::vector<std::string>(gpus.begin(), gpus.end());
  if (merged["sweep"].is_object()) merged["sweep"]["case_count"] = merged["results"].size();
  if (planned_keys)
    for (const auto& key : *planned_keys)
      if (!seen.count(key)) outcome.missing.push_back(key);
  outcome.document = std::move(merged);
  return outcome;
}

}  // namespace scb
