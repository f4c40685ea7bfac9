#pragma once
// Errors in user-written YAML: where (file:line:column), what is wrong, and how to fix it.
#include <stdexcept>
#include <string>

namespace scb {

struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string to_string() const;
};

class SpecError : public std::runtime_error {
 public:
  SpecError(SourceMark mark, std::string problem, std::string fix);
  const SourceMark& mark() const { return mark_; }
  const std::string& problem() const { return problem_; }
  const std::string& fix() const { return fix_; }

 private:
  SourceMark mark_;
  std::string problem_;
  std::string fix_;
};

}  // namespace scb
