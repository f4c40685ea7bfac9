#include "harness/spec/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace scb {

YAML::Node YamlReader::load_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw SpecError({path.string(), 0, 0}, "cannot open file",
                    "check the path; it is resolved against the current directory");
  }
  std::stringstream text;
  text << in.rdbuf();
  return load_string(text.str(), path.string());
}

YAML::Node YamlReader::load_string(const std::string& text, const std::string& file_name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw SpecError({file_name, e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg,
                    "fix the YAML syntax at this position (indentation, a missing ':' or an unclosed bracket)");
  }
}

SourceMark YamlReader::mark(const YAML::Node& node) const {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

void YamlReader::fail(const YAML::Node& node, const std::string& problem, const std::string& fix) const {
  throw SpecError(mark(node), problem, fix);
}

void YamlReader::expect_map(const YAML::Node& node, const std::string& what) const {
  if (!node.IsMap())
    fail(node, what + " must be a mapping of key: value", "write it as 'key: value' lines or {key: value}");
}

void YamlReader::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                            const std::string& what) const {
  expect_map(map, what);
  for (const auto& entry : map) {
    const std::string key = read_key(entry.first);
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string suggestion = closest_match(key, allowed);
    std::string fix = suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ";
    fix += "allowed keys in " + what + ": " + join(allowed, ", ");
    fail(entry.first, "unknown key '" + key + "' in " + what, fix);
  }
}

void YamlReader::require_key(const YAML::Node& map, const std::string& key, const std::string& what,
                             const std::string& example) const {
  if (!map[key]) fail(map, what + " needs '" + key + "'", "add it, for example: " + example);
}

std::string YamlReader::read_string(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, what + " must be a single value", "write a plain value such as 'fp32'");
  return node.Scalar();
}

std::string YamlReader::read_key(const YAML::Node& key) const {
  if (!key.IsScalar()) fail(key, "a key must be a plain word", "write 'key: value' with a word as the key");
  return key.Scalar();
}

long long YamlReader::read_int(const YAML::Node& node, const std::string& what) const {
  const std::string text = read_string(node, what);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(node, what + " must be an integer, got '" + text + "'", "write a whole number such as 3");
  }
  return value;
}

int YamlReader::read_int_in(const YAML::Node& node, const std::string& what, int min, int max) const {
  const long long value = read_int(node, what);
  if (value < min || value > max)
    fail(node,
         what + " " + std::to_string(value) + " is outside [" + std::to_string(min) + ", " + std::to_string(max) + "]",
         "give a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<int>(value);
}

double YamlReader::read_double(const YAML::Node& node, const std::string& what) const {
  const std::string text = read_string(node, what);
  double value = 0;
  bool parsed = false;
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    parsed = used == text.size();
  } catch (const std::exception&) {
  }
  if (!parsed) fail(node, what + " must be a number, got '" + text + "'", "write a number such as 0.9");
  if (!std::isfinite(value))
    fail(node, what + " must be a finite number, got '" + text + "'", "write a number such as 0.9");
  return value;
}

bool YamlReader::read_bool(const YAML::Node& node, const std::string& what) const {
  const std::string text = read_string(node, what);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(node, what + " must be true or false, got '" + text + "'", "write true or false");
}

std::vector<YAML::Node> YamlReader::read_list(const YAML::Node& node, const std::string& what) const {
  std::vector<YAML::Node> items;
  if (node.IsSequence()) {
    for (const auto& item : node) items.push_back(item);
    if (items.empty()) fail(node, what + " is an empty list", "give at least one value");
  } else if (node.IsScalar() || node.IsMap()) {
    items.push_back(node);
  } else {
    fail(node, what + " is empty", "give at least one value");
  }
  return items;
}

}  // namespace scb
