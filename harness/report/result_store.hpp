#pragma once
// Keeps every finished result safe: each one is appended to a JSON-lines checkpoint at once, and
// the full document is written atomically (temporary file, then rename) at the end; gzip when the
// output ends in ".gz". The checkpoint's first line says which sweep and tool version wrote it, so that
// a resume never mixes results of different sweeps or tools.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace scb {

// What must match for results of an earlier run to be kept: the sweep's content hash and the tool version.
struct RunIdentity {
  std::string sweep_hash;
  std::string tool_version;
  nlohmann::json to_json() const { return {{"sweep_hash", sweep_hash}, {"tool_version", tool_version}}; }
};

struct ResumeOptions {
  bool resume = false;
  bool retry_unsuccessful = false;     // drop loaded results that are `incorrect` or `error`, so they run again
  bool accept_other_identity = false;  // keep results written by another sweep hash or tool version
};

class ResultStore {
 public:
  // With `resume`, results already in the checkpoint or the final file are loaded and kept; where a
  // case appears twice, the later result counts. They must come from a run of the same identity unless
  // `accept_other_identity`. Without `resume`, an existing checkpoint is an error: it holds results of
  // an unfinished run.
  ResultStore(std::filesystem::path output, RunIdentity identity, ResumeOptions options = {});

  const std::filesystem::path& output() const { return output_; }
  std::filesystem::path checkpoint() const { return checkpoint_path(output_); }
  bool finished(const std::string& case_key) const { return finished_.count(case_key) > 0; }
  std::size_t resumed_count() const { return resumed_; }
  const std::vector<nlohmann::json>& results() const { return results_; }

  void append(const nlohmann::json& result);
  // Writes {header..., "results": [...]} atomically, then removes the checkpoint.
  void write_final(nlohmann::json document);

  static std::filesystem::path checkpoint_path(const std::filesystem::path& output);

 private:
  void load_existing(bool accept_other_identity);
  void check_identity(const RunIdentity& found, const std::string& source, bool accept_other_identity) const;
  void keep(const nlohmann::json& result);
  void drop_unsuccessful();
  void rewrite_checkpoint() const;

  std::filesystem::path output_;
  RunIdentity identity_;
  std::ofstream checkpoint_;
  std::vector<nlohmann::json> results_;
  std::map<std::string, std::size_t> finished_;  // case key -> index in results_
  std::size_t resumed_ = 0;
};

class ResultStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scb
