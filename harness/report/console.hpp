#pragma once
// What a person sees: the plan, a progress line per case, and the summary table at the end.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace scb {

class ProgressLine {
 public:
  explicit ProgressLine(std::size_t total, std::FILE* out = stderr);
  // Prints "[ i/n] elapsed mm:ss, left ~mm:ss | <text>" after a case finished.
  void case_done(const std::string& text);
  void skipped(std::size_t count);

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t timed_ = 0;  // cases run in this process (the basis of the time estimate)
  std::chrono::steady_clock::time_point start_;
  std::FILE* out_;
};

std::string format_duration(double seconds);
// The end-of-run table: layer, N, backend, precision, layout, median us, useful TFLOP/s, status.
std::string summary_table(const std::vector<nlohmann::json>& results);
// A one-line description of a finished result for the progress line.
std::string result_brief(const nlohmann::json& result);

}  // namespace scb
