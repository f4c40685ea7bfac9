#pragma once
// Compares two result documents case by case: ratio of medians with a bootstrap confidence
// interval, a Mann-Whitney U test, and a verdict that calls a change real only when the data say so.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace scb {

struct CompareThresholds {
  double min_change = 0.05;  // relative change that counts (5%)
  double alpha = 0.01;       // significance level of the U test
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 12345;
};

enum class Verdict { faster, slower, same, noisy };
std::string to_string(Verdict verdict);

struct RatioEstimate {
  double ratio = 1.0;                  // median(current) / median(baseline)
  double ci_low = 1.0, ci_high = 1.0;  // 95% bootstrap percentile interval
};

// Two-sided p-value of the Mann-Whitney U test (normal approximation with tie correction).
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);
RatioEstimate bootstrap_median_ratio(const std::vector<double>& baseline, const std::vector<double>& current,
                                     int resamples, std::uint64_t seed);
// slower: significant, the interval lies above 1 and reaches 1 + min_change; faster likewise below;
// same: the interval lies within +-min_change; noisy: anything the data cannot decide.
Verdict decide(const RatioEstimate& estimate, double p_value, const CompareThresholds& thresholds);

struct CaseComparison {
  std::string key;
  std::string backend;
  std::string status;  // "compared", "new", "missing", "incorrect"
  std::string note;    // why a case was not compared
  double baseline_median_us = 0, current_median_us = 0;
  RatioEstimate estimate;
  double p_value = 1.0;
  Verdict verdict = Verdict::noisy;
};

struct BackendSummary {
  std::string backend;
  int compared = 0;
  double geomean_ratio = 1.0;
  int faster = 0, slower = 0, same = 0, noisy = 0;
};

struct Comparison {
  std::vector<CaseComparison> cases;
  std::vector<BackendSummary> backends;
  std::vector<std::string> warnings;  // different GPU, driver or library versions
  bool any_slower() const;
};

Comparison compare_documents(const nlohmann::json& baseline, const nlohmann::json& current,
                             const CompareThresholds& thresholds);

std::string comparison_table(const Comparison& comparison);
std::string comparison_markdown(const Comparison& comparison, const CompareThresholds& thresholds);
std::string comparison_junit(const Comparison& comparison);

}  // namespace scb
