#pragma once
// Typed reads from yaml-cpp nodes that turn every mistake into a SpecError with file:line.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/spec/spec_error.hpp"
#include "harness/spec/text.hpp"

namespace scb {

class YamlReader {
 public:
  // Parses the file; a syntax error or a missing file becomes a SpecError.
  static YAML::Node load_file(const std::filesystem::path& path);
  static YAML::Node load_string(const std::string& text, const std::string& file_name);

  // Runs `parse`, turning yaml-cpp's own exceptions (a scalar indexed as a map, a bad conversion) into a
  // SpecError at their position: callers see one kind of error for every bad file.
  template <class Parse>
  static auto translate_errors(const std::string& file_name, Parse parse) -> decltype(parse()) {
    try {
      return parse();
    } catch (const YAML::Exception& e) {
      const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
      const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
      throw SpecError({file_name, line, column}, "malformed YAML structure: " + e.msg,
                      "check the nesting at this position against the documented layout (README, Sweeps)");
    }
  }

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
  // A mapping's key: a plain word, never a list or a mapping used as a key.
  std::string read_key(const YAML::Node& key) const;
  long long read_int(const YAML::Node& node, const std::string& what) const;
  // An integer within [min, max]; anything outside is a SpecError naming the range, never a silent narrowing.
  int read_int_in(const YAML::Node& node, const std::string& what, int min, int max) const;
  // A finite number: nan and inf are rejected here, so no later range check has to think of them.
  double read_double(const YAML::Node& node, const std::string& what) const;
  bool read_bool(const YAML::Node& node, const std::string& what) const;
  // A sequence, or a single scalar/map taken as a one-element sequence.
  std::vector<YAML::Node> read_list(const YAML::Node& node, const std::string& what) const;

 private:
  std::string file_;
};

}  // namespace scb
