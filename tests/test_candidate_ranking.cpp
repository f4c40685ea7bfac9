// tune/'s ranking of an op's candidates, on made-up times: what is timed, what is skipped, the order.
#include <gtest/gtest.h>

#include <vector>

#include "harness/tune/candidate_ranking.hpp"

namespace scb {
namespace {

TEST(CandidateRanking, FastestFirstAndSlowOnesAreNotTimedFully) {
  // Candidate times (us): the first is the first best; the third is 10x slower after its warm-up.
  const std::vector<double> times{50, 20, 500, 30};
  std::vector<int> fully_timed(times.size(), 0);
  const auto ranked = rank_candidates(
      times.size(), [&](std::size_t i) { return times[i]; },
      [&](std::size_t i) {
        ++fully_timed[i];
        return times[i];
      });
  ASSERT_EQ(ranked.size(), 4u) << "every candidate stays, as a fallback for verification";
  EXPECT_EQ(ranked[0].index, 1u);
  EXPECT_EQ(ranked[1].index, 3u);
  EXPECT_EQ(ranked[2].index, 0u);
  EXPECT_EQ(ranked[3].index, 2u);
  EXPECT_FALSE(ranked[3].fully_timed);
  EXPECT_EQ(fully_timed, (std::vector<int>{1, 1, 0, 1})) << "500 us > 3 x 20 us: never timed fully";
}

TEST(CandidateRanking, TheWarmUpDecidesOnlyTheSkipTheMedianDecidesTheOrder) {
  // A noisy warm-up (first sample slow) must not outrank a candidate whose median is faster.
  const std::vector<double> warm{100, 25}, median{10, 12};
  const auto ranked = rank_candidates(
      2, [&](std::size_t i) { return warm[i]; }, [&](std::size_t i) { return median[i]; });
  EXPECT_EQ(ranked[0].index, 0u);
  EXPECT_DOUBLE_EQ(ranked[0].time_us, 10);
  EXPECT_DOUBLE_EQ(ranked[1].time_us, 12);
  EXPECT_TRUE(ranked[1].fully_timed) << "25 us is not over 3 x 10 us";
}

TEST(CandidateRanking, TiesKeepTheCandidatesOrder) {
  const auto ranked = rank_candidates(
      3, [](std::size_t) { return 5.0; }, [](std::size_t) { return 5.0; });
  EXPECT_EQ(ranked[0].index, 0u);
  EXPECT_EQ(ranked[1].index, 1u);
  EXPECT_EQ(ranked[2].index, 2u);
}

}  // namespace
}  // namespace scb
