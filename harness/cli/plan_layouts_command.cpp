#include "harness/cli/plan_layouts_command.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "harness/report/json_file.hpp"
#include "harness/spec/network.hpp"
#include "harness/tune/layout_plan.hpp"

namespace scb {

namespace {

constexpr int kExitBadInput = 2;
const std::set<std::string> kCudnnBackends{"cudnn", "cudnn_pool", "cudnn_softmax"};

// The fastest verified median of each (layer, layout) of the network at this batch and precision, over all
// backends or cuDNN's only; transforms by (layer, from, to).
struct Measured {
  std::map<std::string, std::map<std::string, double>> layers, cudnn_layers;
  std::map<std::string, std::map<std::pair<std::string, std::string>, double>> transforms;
};

void keep_min(double& slot, double value) { slot = slot > 0 && slot <= value ? slot : value; }

Measured read_measured(const PlanLayoutsArgs& args) {
  Measured m;
  for (const auto& path : args.results) {
    const nlohmann::json document = read_result_document(path);  // kept alive: the loop reads into it
    for (const auto& r : document.at("results")) {
      if (r.value("status", "") != "ok" || !r.contains("timing") || r["timing"].is_null()) continue;
      const auto& c = r.at("case");
      const std::string network = c.at("network"), layer = c.at("layer"), layout = c.at("layout");
      if (network != args.network || c.at("batch") != args.batch || c.at("precision") != args.precision ||
          c.value("fuse", "none") != "none")
        continue;
      const double us = r["timing"].at("median_us");
      if (c.value("op", "conv") == "transform") {
        const std::string input = layer.substr(0, layer.rfind("/input"));
        keep_min(m.transforms[input][{c.at("params").value("from", ""), layout}], us);
        continue;
      }
      keep_min(m.layers[layer][layout], us);
      if (kCudnnBackends.count(c.at("backend"))) keep_min(m.cudnn_layers[layer][layout], us);
    }
  }
  return m;
}

std::string text_us(const std::optional<double>& us) {
  if (!us) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", *us);
  return text;
}

std::string text_ratio(const std::optional<double>& total, double planned) {
  if (!total) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2fx", *total / planned);
  return text;
}

}  // namespace

int plan_layouts_command(const PlanLayoutsArgs& args) {
  std::vector<LayoutStage> stages, cudnn_stages;
  std::vector<std::string> missing;
  try {
    const Measured m = read_measured(args);
    const auto dir = args.layers_dir.empty() ? default_layers_dir() : std::filesystem::path(args.layers_dir);
    for (const Layer& layer : load_network(dir / (args.network + ".yaml")).layers) {
      const auto times = m.layers.find(layer.name);
      if (times == m.layers.end()) {
        missing.push_back(layer.name);
        continue;
      }
      LayoutStage stage{layer.name, times->second, {}};
      if (const auto t = m.transforms.find(layer.name); t != m.transforms.end()) stage.transform_us = t->second;
      stages.push_back(stage);
      const auto cudnn = m.cudnn_layers.find(layer.name);
      cudnn_stages.push_back(
          {layer.name, cudnn == m.cudnn_layers.end() ? std::map<std::string, double>{} : cudnn->second, {}});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  }
  if (stages.empty()) {
    std::fprintf(stderr, "error: no verified result of network '%s' at N=%d, %s in these files\n", args.network.c_str(),
                 args.batch, args.precision.c_str());
    return kExitBadInput;
  }
  for (const auto& name : missing)
    std::fprintf(stderr, "warning: %s/%s has no result at N=%d, %s: left out of every total\n", args.network.c_str(),
                 name.c_str(), args.batch, args.precision.c_str());
  const auto plan = plan_layouts(stages);
  if (!plan) {
    std::fprintf(stderr,
                 "error: no chain of layouts covers every layer (a layer's layouts are not reachable from "
                 "the last one's without a measured transform)\n");
    return kExitBadInput;
  }
  std::printf("%s, N=%d, %s: a sum of measured layer times, not a run of the network\n\n", args.network.c_str(),
              args.batch, args.precision.c_str());
  std::printf("| layer | layout | us | transform before, us |\n|---|---|---|---|\n");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string& layout = plan->layouts[i];
    std::optional<double> change;
    if (i > 0 && plan->layouts[i - 1] != layout) change = stages[i].transform_us.at({plan->layouts[i - 1], layout});
    std::printf("| %s | %s | %s | %s |\n", stages[i].layer.c_str(), layout.c_str(),
                text_us(stages[i].time_us.at(layout)).c_str(), text_us(change).c_str());
  }
  std::printf("\n| chain | total us | planned is faster by |\n|---|---|---|\n");
  std::printf("| planned (transforms %.1f us) | %.1f | |\n", plan->transform_us, plan->total_us);
  nlohmann::json single = nlohmann::json::object(), single_missing = nlohmann::json::object();
  std::optional<std::pair<std::string, double>> best_single;
  for (const char* layout : {"NCHW", "NHWC", "CHWN"}) {
    const auto total = single_layout_total(stages, layout);
    if (total) single[layout] = *total;
    if (total && (!best_single || *total < best_single->second)) best_single = {{layout, *total}};
    std::printf("| all %s | %s | %s |\n", layout, text_us(total).c_str(), text_ratio(total, plan->total_us).c_str());
  }
  std::optional<double> cudnn_total;
  for (const char* layout : {"NCHW", "NHWC"})
    if (const auto total = single_layout_total(cudnn_stages, layout); total && (!cudnn_total || *total < *cudnn_total))
      cudnn_total = total;
  std::printf("| all cuDNN (its best single layout) | %s | %s |\n", text_us(cudnn_total).c_str(),
              text_ratio(cudnn_total, plan->total_us).c_str());
  // Why a single layout has no total: the layers that never ran in it.
  std::printf("\n");
  for (const char* layout : {"NCHW", "NHWC", "CHWN"}) {
    if (single.contains(layout)) continue;
    std::string names;
    for (const auto& stage : stages)
      if (!stage.time_us.count(layout)) {
        names += (names.empty() ? "" : ", ") + stage.layer;
        single_missing[layout].push_back(stage.layer);
      }
    std::printf("all %s: no total, because %s never ran in %s\n", layout, names.c_str(), layout);
  }
  if (best_single)
    std::printf("best single layout: %s, %.1f us; the plan is %.2fx faster\n", best_single->first.c_str(),
                best_single->second, best_single->second / plan->total_us);
  if (!args.output.empty()) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < stages.size(); ++i)
      layers.push_back({{"layer", stages[i].layer}, {"layout", plan->layouts[i]}});
    const nlohmann::json out = {{"network", args.network},
                                {"batch", args.batch},
                                {"precision", args.precision},
                                {"note", "a sum of measured layer times, not a run of the network"},
                                {"layers", layers},
                                {"planned_total_us", plan->total_us},
                                {"planned_transform_us", plan->transform_us},
                                {"single_layout_total_us", single},
                                {"single_layout_missing", single_missing},
                                {"all_cudnn_total_us", cudnn_total ? nlohmann::json(*cudnn_total) : nlohmann::json()},
                                {"left_out", missing}};
    try {
      write_text_file_atomically(args.output, out.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return kExitBadInput;
    }
  }
  return 0;
}

}  // namespace scb
