#pragma once
// Keeps every finished result safe: each one is appended to a JSON-lines checkpoint at once, and
// the full document is written atomically (temporary file, then rename) at the end.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace scb {

class ResultStore {
 public:
  // With `resume`, results already in the checkpoint or the final file are loaded and kept.
  // Without it, an existing checkpoint is an error: it holds results of an unfinished run.
  ResultStore(std::filesystem::path output, bool resume);

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

  std::filesystem::path output_;
  std::ofstream checkpoint_;
  std::vector<nlohmann::json> results_;
  std::set<std::string> finished_;
  std::size_t resumed_ = 0;
};

class ResultStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace scb
