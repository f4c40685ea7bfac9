#pragma once
// Keeps every finished result safe: each one is appended to a JSON-lines checkpoint at once, and
// the full document is written atomically (temporary file, then rename) at the end.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <vector>

namespace scb {

class ResultStore {
 public:
  // With `resume`, results already in the checkpoint or the final file are loaded and kept; where a
  // case appears twice, the later result counts. `retry_unsuccessful` drops the loaded results that are
  // `incorrect` or `error`, so that those cases run again (after a fix). Without `resume`, an existing
  // checkpoint is an error: it holds results of an unfinished run.
  ResultStore(std::filesystem::path output, bool resume, bool retry_unsuccessful = false);

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
  void load_existing();
  void keep(const nlohmann::json& result);
  void drop_unsuccessful();
  void rewrite_checkpoint() const;

  std::filesystem::path output_;
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
