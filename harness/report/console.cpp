#include "harness/report/console.hpp"

#include <algorithm>
#include <cmath>

namespace scb {

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%02ld:%02ld", total / 60, total % 60);
  return text;
}

ProgressLine::ProgressLine(std::size_t total, std::FILE* out)
    : total_(total), start_(std::chrono::steady_clock::now()), out_(out) {}

void ProgressLine::skipped(std::size_t count) { done_ += count; }

void ProgressLine::case_done(const std::string& text) {
  ++done_;
  ++timed_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double left = elapsed / double(timed_) * double(total_ - done_);
  const int width = int(std::to_string(total_).size());
  std::fprintf(out_, "[%*zu/%zu] %s elapsed, ~%s left | %s\n", width, done_, total_, format_duration(elapsed).c_str(),
               format_duration(left).c_str(), text.c_str());
  std::fflush(out_);
}

std::string result_brief(const nlohmann::json& r) {
  const auto& c = r.at("case");
  std::string text = c.at("key").get<std::string>() + " -> " + r.at("status").get<std::string>();
  if (!r.at("timing").is_null()) {
    char figures[96];
    std::snprintf(figures, sizeof figures, " %.2f us (+-%.2f%%)", r["timing"]["median_us"].get<double>(),
                  100.0 * r["timing"]["median_noise"].get<double>());
    text += figures;
  }
  if (r.contains("error")) text += ": " + r["error"].get<std::string>();
  return text;
}

std::string summary_table(const std::vector<nlohmann::json>& results) {
  struct Row {
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  rows.push_back(
      {{"layer", "N", "w.sp", "mask", "backend", "prec", "layout", "median_us", "TFLOP/s useful", "status"}});
  for (const auto& r : results) {
    const auto& c = r.at("case");
    char sparsity[16], median[32] = "-", tflops[32] = "-";
    std::snprintf(sparsity, sizeof sparsity, "%.3f", c.at("weight_sparsity").get<double>());
    if (!r.at("timing").is_null()) {
      std::snprintf(median, sizeof median, "%.2f", r["timing"]["median_us"].get<double>());
      std::snprintf(tflops, sizeof tflops, "%.2f", r["derived"]["tflops_useful"].get<double>());
    }
    std::string backend = c.at("backend").get<std::string>();
    if (!c.at("params").empty()) {
      std::string params;
      for (const auto& [k, v] : c["params"].items())
        params += (params.empty() ? "" : ",") + k + "=" + v.get<std::string>();
      backend += "{" + params + "}";
    }
    rows.push_back({{c.at("network").get<std::string>() + "/" + c.at("layer").get<std::string>(),
                     std::to_string(c.at("batch").get<int>()), sparsity, c.at("mask").get<std::string>(), backend,
                     c.at("precision").get<std::string>(), c.at("layout").get<std::string>(), median, tflops,
                     r.at("status").get<std::string>()}});
  }
  std::vector<std::size_t> widths(rows.front().cells.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.cells.size(); ++i) widths[i] = std::max(widths[i], row.cells[i].size());
  std::string table;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = rows[r].cells[i];
      const bool numeric = i == 1 || i == 2 || i == 7 || i == 8;
      const std::string pad(widths[i] - cell.size(), ' ');
      table += (i ? "  " : "") + (numeric ? pad + cell : cell + pad);
    }
    table += "\n";
    if (r == 0) {
      std::size_t total = 0;
      for (const auto w : widths) total += w + 2;
      table += std::string(total - 2, '-') + "\n";
    }
  }
  return table;
}

}  // namespace scb
