#include "harness/tune/layout_plan.hpp"

#include <limits>

namespace scb {

std::optional<LayoutChoice> plan_layouts(const std::vector<LayoutStage>& stages) {
  if (stages.empty()) return std::nullopt;
  // best[i][layout]: the cheapest chain of stages 0..i ending in `layout`, and the layout before it.
  struct Best {
    double us;
    double transforms;
    std::string previous;
  };
  std::vector<std::map<std::string, Best>> best(stages.size());
  for (const auto& [layout, us] : stages[0].time_us) best[0][layout] = {us, 0.0, ""};
  for (std::size_t i = 1; i < stages.size(); ++i)
    for (const auto& [layout, us] : stages[i].time_us) {
      std::optional<Best> cheapest;
      for (const auto& [before, chain] : best[i - 1]) {
        double change = 0.0;
        if (before != layout) {
          const auto t = stages[i].transform_us.find({before, layout});
          if (t == stages[i].transform_us.end()) continue;
          change = t->second;
        }
        if (!cheapest || chain.us + change < cheapest->us)
          cheapest = Best{chain.us + change, chain.transforms + change, before};
      }
      if (cheapest) best[i][layout] = {cheapest->us + us, cheapest->transforms, cheapest->previous};
    }
  if (best.back().empty()) return std::nullopt;
  auto last = best.back().begin();
  for (auto it = best.back().begin(); it != best.back().end(); ++it)
    if (it->second.us < last->second.us) last = it;
  LayoutChoice choice;
  choice.total_us = last->second.us;
  choice.transform_us = last->second.transforms;
  choice.layouts.assign(stages.size(), "");
  std::string layout = last->first;
  for (std::size_t i = stages.size(); i-- > 0;) {
    choice.layouts[i] = layout;
    layout = best[i].at(layout).previous;
  }
  return choice;
}

std::optional<double> single_layout_total(const std::vector<LayoutStage>& stages, const std::string& layout) {
  double total = 0.0;
  for (const auto& stage : stages) {
    const auto it = stage.time_us.find(layout);
    if (it == stage.time_us.end()) return std::nullopt;
    total += it->second;
  }
  return total;
}

}  // namespace scb
