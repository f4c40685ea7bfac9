#pragma once
// The layout of each layer of a chain (a network's layers in order) that minimises the chain's summed time,
// charging a layout change wherever neighbours differ (Li et al., SC16). Dynamic programming over the chain:
// the state is the layout after each layer. A sum of measured layer times, not a run of the network.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace scb {

struct LayoutStage {
  std::string layer;
  std::map<std::string, double> time_us;  // the layer's best measured time in each layout it ran in
  // Changing its input from one layout to another before it: (from, to) -> us. A change without a time is
  // not allowed.
  std::map<std::pair<std::string, std::string>, double> transform_us;
};

struct LayoutChoice {
  std::vector<std::string> layouts;  // one per stage
  double total_us = 0;               // layers plus the transforms between them
  double transform_us = 0;           // of which transforms
};

// The cheapest chain; nothing when no choice covers every stage.
std::optional<LayoutChoice> plan_layouts(const std::vector<LayoutStage>& stages);
// Every stage in one layout, no transforms; nothing when a stage did not run in it.
std::optional<double> single_layout_total(const std::vector<LayoutStage>& stages, const std::string& layout);

}  // namespace scb
