#pragma once
// Typed reads from yaml-cpp nodes that turn every mistake into a SpecError with file:line.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/spec/spec_error.hpp"

namespace scb {

class YamlReader {
 public:
  // Parses the file; a syntax error or a missing file becomes a SpecError.
  static YAML::Node load_file(const std::filesystem::path& path);
  static YAML::Node load_string(const std::string& text, const std::string& file_name);

  explicit YamlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  SourceMark mark(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem, const std::string& fix) const;

  void expect_map(const YAML::Node& node, const std::string& what) const;
  // Rejects keys outside `allowed`, suggesting the closest allowed key.
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& what) const;
  void require_key(const YAML::Node& map, const std::string& key, const std::string& what,
                   const std::string& example) const;

  std::string read_string(const YAML::Node& node, const std::string& what) const;
  long long read_int(const YAML::Node& node, const std::string& what) const;
  double read_double(const YAML::Node& node, const std::string& what) const;
  bool read_bool(const YAML::Node& node, const std::string& what) const;
  // A sequence, or a single scalar/map taken as a one-element sequence.
  std::vector<YAML::Node> read_list(const YAML::Node& node, const std::string& what) const;

 private:
  std::string file_;
};

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& words, const std::string& separator);

}  // namespace scb
