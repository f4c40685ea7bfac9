#pragma once
// `scbench plan-layouts RESULT...`: each layer's layout for one network, chosen over the layers' measured
// times in every layout and the measured transforms between them (Li et al., SC16), against every single
// layout and against cuDNN alone. A sum of measured layer times, not a run of the network.
#include <string>
#include <vector>

namespace scb {

struct PlanLayoutsArgs {
  std::vector<std::string> results;
  std::string network;
  int batch = 128;
  std::string precision = "fp32";
  std::string output;  // optional JSON
  std::string layers_dir;
};

int plan_layouts_command(const PlanLayoutsArgs& args);

}  // namespace scb
