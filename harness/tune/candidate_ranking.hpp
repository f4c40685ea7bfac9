#pragma once
// Orders an op's candidates (cuDNN's algorithms, say) by how fast they run. The caller times them; this
// decides which to time and how far, so that the choice follows one rule wherever it is made.
#include <cstddef>
#include <functional>
#include <vector>

namespace scb {

struct CandidateTime {
  std::size_t index = 0;
  double time_us = 0;        // the median of a full timing, or the one warm-up sample of a skipped candidate
  bool fully_timed = false;  // false: too slow after its warm-up to be the pick, never timed further
};

// `warm_up(i)` runs candidate i briefly and returns one time; `median(i)` times it properly. A candidate
// whose warm-up is over `skip_factor` x the best median so far is not timed further. Returns every
// candidate, fastest first (ties keep the candidates' order).
std::vector<CandidateTime> rank_candidates(std::size_t count, const std::function<double(std::size_t)>& warm_up,
                                           const std::function<double(std::size_t)>& median, double skip_factor = 3.0);

}  // namespace scb
