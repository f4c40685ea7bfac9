#include "harness/report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "harness/measure/statistics.hpp"
#include "harness/sparsity/rng.hpp"

namespace scb {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::faster:
      return "faster";
    case Verdict::slower:
      return "slower";
    case Verdict::same:
      return "same";
    case Verdict::noisy:
      return "noisy";
  }
  return "noisy";
}

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  const double n1 = double(a.size()), n2 = double(b.size());
  if (a.empty() || b.empty()) return 1.0;
  std::vector<std::pair<double, int>> all;
  for (const double x : a) all.push_back({x, 0});
  for (const double x : b) all.push_back({x, 1});
  std::sort(all.begin(), all.end());
  double rank_sum_a = 0, tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double average_rank = (double(i) + double(j) + 1.0) / 2.0;  // ranks i+1..j
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second == 0) rank_sum_a += average_rank;
    const double t = double(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double u = rank_sum_a - n1 * (n1 + 1) / 2;
  const double mean = n1 * n2 / 2;
  const double n = n1 + n2;
  const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return 1.0;                                      // every value identical
  const double z = (std::abs(u - mean) - 0.5) / std::sqrt(variance);  // continuity correction
  return std::min(1.0, std::erfc(std::max(0.0, z) / std::sqrt(2.0)));
}

RatioEstimate bootstrap_median_ratio(const std::vector<double>& baseline, const std::vector<double>& current,
                                     int resamples, std::uint64_t seed) {
  RatioEstimate estimate;
  const auto median_of = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return percentile(v, 0.5);
  };
  estimate.ratio = median_of(current) / median_of(baseline);
  Rng rng(seed);
  std::vector<double> ratios, base(baseline.size()), cur(current.size());
  ratios.reserve(std::size_t(resamples));
  for (int i = 0; i < resamples; ++i) {
    for (auto& x : base) x = baseline[rng.below(baseline.size())];
    for (auto& x : cur) x = current[rng.below(current.size())];
    ratios.push_back(median_of(cur) / median_of(base));
  }
  std::sort(ratios.begin(), ratios.end());
  estimate.ci_low = percentile(ratios, 0.025);
  estimate.ci_high = percentile(ratios, 0.975);
  return estimate;
}

Verdict decide(const RatioEstimate& e, double p_value, const CompareThresholds& t) {
  const bool significant = p_value < t.alpha;
  if (significant && e.ci_low > 1.0 && e.ci_high >= 1.0 + t.min_change) return Verdict::slower;
  if (significant && e.ci_high < 1.0 && e.ci_low <= 1.0 - t.min_change) return Verdict::faster;
  if (e.ci_low >= 1.0 - t.min_change && e.ci_high <= 1.0 + t.min_change) return Verdict::same;
  return Verdict::noisy;
}

bool Comparison::any_slower() const {
  return std::any_of(cases.begin(), cases.end(),
                     [](const CaseComparison& c) { return c.status == "compared" && c.verdict == Verdict::slower; });
}

namespace {

std::map<std::string, const nlohmann::json*> index_results(const nlohmann::json& document) {
  std::map<std::string, const nlohmann::json*> index;
  for (const auto& r : document.at("results")) index[r.at("case").at("key").get<std::string>()] = &r;
  return index;
}

std::vector<double> samples_of(const nlohmann::json& result) {
  return result.at("timing").at("samples_us").get<std::vector<double>>();
}

void warn_if_different(const nlohmann::json& a, const nlohmann::json& b, const std::string& what,
                       std::vector<std::string>& warnings) {
  if (a != b) warnings.push_back(what + " differs: baseline " + a.dump() + ", current " + b.dump());
}

}  // namespace

Comparison compare_documents(const nlohmann::json& baseline, const nlohmann::json& current,
                             const CompareThresholds& t) {
  Comparison comparison;
  const auto& eb = baseline.at("environment");
  const auto& ec = current.at("environment");
  warn_if_different(eb.at("gpu").at("name"), ec.at("gpu").at("name"), "GPU", comparison.warnings);
  for (const char* field : {"driver_version", "cuda_runtime", "cudnn", "cublas"})
    warn_if_different(eb.value(field, nlohmann::json()), ec.value(field, nlohmann::json()), field, comparison.warnings);

  const auto base_index = index_results(baseline), current_index = index_results(current);
  std::map<std::string, std::vector<double>> log_ratios;
  std::map<std::string, BackendSummary> summaries;
  for (const auto& [key, cur] : current_index) {
    CaseComparison c;
    c.key = key;
    c.backend = cur->at("case").at("backend").get<std::string>();
    const auto base_it = base_index.find(key);
    if (base_it == base_index.end()) {
      c.status = "new";
      c.note = "not in the baseline";
    } else if (base_it->second->at("status") != "ok" || cur->at("status") != "ok") {
      c.status = "incorrect";
      c.note = "baseline " + base_it->second->at("status").get<std::string>() + ", current " +
               cur->at("status").get<std::string>();
    } else {
      c.status = "compared";
      const auto base_samples = samples_of(*base_it->second), cur_samples = samples_of(*cur);
      c.baseline_median_us = base_it->second->at("timing").at("median_us").get<double>();
      c.current_median_us = cur->at("timing").at("median_us").get<double>();
      c.estimate = bootstrap_median_ratio(base_samples, cur_samples, t.bootstrap_resamples, t.seed);
      c.p_value = mann_whitney_p(base_samples, cur_samples);
      c.verdict = decide(c.estimate, c.p_value, t);
      log_ratios[c.backend].push_back(std::log(c.estimate.ratio));
      BackendSummary& s = summaries[c.backend];
      s.backend = c.backend;
      ++s.compared;
      s.faster += c.verdict == Verdict::faster;
      s.slower += c.verdict == Verdict::slower;
      s.same += c.verdict == Verdict::same;
      s.noisy += c.verdict == Verdict::noisy;
    }
    comparison.cases.push_back(std::move(c));
  }
  for (const auto& [key, base] : base_index)
    if (!current_index.count(key)) {
      CaseComparison c;
      c.key = key;
      c.backend = base->at("case").at("backend").get<std::string>();
      c.status = "missing";
      c.note = "in the baseline, not in the current run";
      comparison.cases.push_back(std::move(c));
    }
  for (auto& [backend, s] : summaries) {
    const auto& logs = log_ratios[backend];
    double sum = 0;
    for (const double l : logs) sum += l;
    s.geomean_ratio = std::exp(sum / double(logs.size()));
    comparison.backends.push_back(s);
  }
  return comparison;
}

namespace {

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string p_text(double p) {
  char text[32];
  std::snprintf(text, sizeof text, p < 1e-4 ? "%.1e" : "%.4f", p);
  return text;
}

}  // namespace

std::string comparison_table(const Comparison& cmp) {
  std::ostringstream out;
  for (const auto& w : cmp.warnings) out << "warning: " << w << "\n";
  std::size_t width = 4;
  for (const auto& c : cmp.cases) width = std::max(width, c.key.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %12s  %12s  %7s  %17s  %9s  %s\n", int(width), "case", "base_us", "cur_us",
                "ratio", "95% CI", "p", "verdict");
  out << line;
  for (const auto& c : cmp.cases) {
    if (c.status != "compared") {
      std::snprintf(line, sizeof line, "%-*s  %s: %s\n", int(width), c.key.c_str(), c.status.c_str(), c.note.c_str());
    } else {
      std::snprintf(line, sizeof line, "%-*s  %12.2f  %12.2f  %7.4f  [%6.4f, %6.4f]  %9s  %s\n", int(width),
                    c.key.c_str(), c.baseline_median_us, c.current_median_us, c.estimate.ratio, c.estimate.ci_low,
                    c.estimate.ci_high, p_text(c.p_value).c_str(), to_string(c.verdict).c_str());
    }
    out << line;
  }
  for (const auto& s : cmp.backends) {
    std::snprintf(line, sizeof line,
                  "geomean %-16s ratio %.4f over %d cases: %d faster, %d slower, %d same, %d noisy\n",
                  s.backend.c_str(), s.geomean_ratio, s.compared, s.faster, s.slower, s.same, s.noisy);
    out << line;
  }
  return out.str();
}

std::string comparison_markdown(const Comparison& cmp, const CompareThresholds& t) {
  std::ostringstream out;
  const int slower = int(std::count_if(cmp.cases.begin(), cmp.cases.end(), [](const CaseComparison& c) {
    return c.status == "compared" && c.verdict == Verdict::slower;
  }));
  out << "### scbench comparison: " << (slower ? std::to_string(slower) + " slower case(s)" : "no slower case")
      << "\n\n";
  out << "Thresholds: change >= " << fixed(100 * t.min_change, 1) << "%, Mann-Whitney p < " << t.alpha
      << ", 95% bootstrap CI of the ratio of medians (current / baseline).\n\n";
  for (const auto& w : cmp.warnings) out << "> **warning:** " << w << "\n";
  if (!cmp.warnings.empty()) out << "\n";
  out << "| backend | cases | geomean ratio | faster | slower | same | noisy |\n|---|---|---|---|---|---|---|\n";
  for (const auto& s : cmp.backends)
    out << "| " << s.backend << " | " << s.compared << " | " << fixed(s.geomean_ratio, 4) << " | " << s.faster << " | "
        << s.slower << " | " << s.same << " | " << s.noisy << " |\n";
  out << "\n| case | baseline us | current us | ratio | 95% CI | p | verdict |\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : cmp.cases) {
    if (c.status != "compared") {
      out << "| `" << c.key << "` | | | | | | " << c.status << ": " << c.note << " |\n";
      continue;
    }
    const std::string verdict = c.verdict == Verdict::slower ? "**slower**" : to_string(c.verdict);
    out << "| `" << c.key << "` | " << fixed(c.baseline_median_us, 2) << " | " << fixed(c.current_median_us, 2) << " | "
        << fixed(c.estimate.ratio, 4) << " | [" << fixed(c.estimate.ci_low, 4) << ", " << fixed(c.estimate.ci_high, 4)
        << "] | " << p_text(c.p_value) << " | " << verdict << " |\n";
  }
  return out.str();
}

namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

}  // namespace

std::string comparison_junit(const Comparison& cmp) {
  int tests = 0, failures = 0, skipped = 0;
  std::ostringstream cases;
  for (const auto& c : cmp.cases) {
    ++tests;
    cases << "  <testcase classname=\"scbench." << xml_escape(c.backend) << "\" name=\"" << xml_escape(c.key) << "\">";
    if (c.status != "compared") {
      ++skipped;
      cases << "<skipped message=\"" << xml_escape(c.status + ": " + c.note) << "\"/>";
    } else if (c.verdict == Verdict::slower) {
      ++failures;
      cases << "<failure message=\"slower: ratio " << fixed(c.estimate.ratio, 4) << " [" << fixed(c.estimate.ci_low, 4)
            << ", " << fixed(c.estimate.ci_high, 4) << "], p " << p_text(c.p_value) << "\"/>";
    }
    cases << "</testcase>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"scbench-compare\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n"
      << cases.str() << "</testsuite>\n";
  return out.str();
}

}  // namespace scb
