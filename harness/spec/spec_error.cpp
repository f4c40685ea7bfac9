#include "harness/spec/spec_error.hpp"

namespace scb {

std::string SourceMark::to_string() const {
  std::string text = file.empty() ? "<input>" : file;
  if (line > 0) text.append(":").append(std::to_string(line));
  if (line > 0 && column > 0) text.append(":").append(std::to_string(column));
  return text;
}

static std::string format_spec_error(const SourceMark& mark, const std::string& problem, const std::string& fix) {
  std::string text = mark.to_string() + ": error: " + problem;
  if (!fix.empty()) text += "\n  fix: " + fix;
  return text;
}

SpecError::SpecError(SourceMark mark, std::string problem, std::string fix)
    : std::runtime_error(format_spec_error(mark, problem, fix)),
      mark_(std::move(mark)),
      problem_(std::move(problem)),
      fix_(std::move(fix)) {}

}  // namespace scb
