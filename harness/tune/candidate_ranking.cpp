#include "harness/tune/candidate_ranking.hpp"

#include <algorithm>

namespace scb {

std::vector<CandidateTime> rank_candidates(std::size_t count, const std::function<double(std::size_t)>& warm_up,
                                           const std::function<double(std::size_t)>& median, double skip_factor) {
  std::vector<CandidateTime> times;
  double best_us = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double warm_us = warm_up(i);
    if (best_us > 0 && warm_us > skip_factor * best_us) {
      times.push_back({i, warm_us, false});  // still a fallback when faster ones fail verification
      continue;
    }
    const double median_us = median(i);
    times.push_back({i, median_us, true});
    best_us = best_us == 0 ? median_us : std::min(best_us, median_us);
  }
  std::stable_sort(times.begin(), times.end(), [](const auto& a, const auto& b) { return a.time_us < b.time_us; });
  return times;
}

}  // namespace scb
