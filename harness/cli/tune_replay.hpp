#pragma once
// scbench tune --replay: every strategy replayed, seed by seed, on the exhaustive searches recorded in
// result documents; a table of each strategy's gap to the optimum within a budget, and a document of
// their best-so-far curves for report.py tuning.
#include <string>
#include <vector>

namespace scb {

struct ReplayArgs {
  std::vector<std::string> results;
  double budget_fraction = 0.15;  // of each search's configs
  int seeds = 5;
  std::string output;  // the curves as a result document (optional)
};

int tune_replay_command(const ReplayArgs& args);

}  // namespace scb
