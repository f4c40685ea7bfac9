#include "harness/spec/case.hpp"

#include <cstdio>
#include <set>

namespace scb {

std::string format_fraction(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

std::string Case::params_text() const {
  if (tune) {
    const std::string space = tune->space.empty() ? "" : ",space=" + tune->space_text();
    return (tune->cached ? "auto" : "tune=" + tune->strategy) + space;
  }
  std::string text;
  for (const auto& [name, value] : params) text += (text.empty() ? "" : ",") + name + "=" + value;
  return text;
}

std::string Case::pattern_suffix() const {
  if (activation.from_file()) return "f";
  switch (activation_pattern) {
    case ActivationPattern::clustered:
      return "c";
    case ActivationPattern::channel:
      return "ch";
    default:
      return "";
  }
}

std::string Case::data_key() const {
  if (layer.op != LayerOp::conv) return input_key();  // no weights: nothing else shapes the data
  return layer.id() + " N=" + std::to_string(batch) + " ws=" + format_fraction(weight_sparsity) +
         " as=" + format_fraction(activation_sparsity) + pattern_suffix() + " mask=" + mask.label();
}

int Case::output_height() const { return fuse == Fuse::pool ? layer.pooled_P() : layer.P(); }
int Case::output_width() const { return fuse == Fuse::pool ? layer.pooled_Q() : layer.Q(); }
std::int64_t Case::output_count() const { return std::int64_t(batch) * layer.K * output_height() * output_width(); }

std::string Case::input_key() const {
  return layer.id() + " N=" + std::to_string(batch) + " as=" + format_fraction(activation_sparsity) + pattern_suffix();
}

std::string Case::key() const {
  return data_key() + (fuse == Fuse::pool ? " fuse=pool" : "") + " " + to_string(precision) + " " + to_string(layout) +
         " " + backend + "{" + params_text() + "}";
}

bool rule_matches(const ExcludeRule& rule, const Case& c) {
  for (const auto& [field, value] : rule.fields) {
    std::string actual;
    if (field == "backend")
      actual = c.backend;
    else if (field == "precision")
      actual = to_string(c.precision);
    else if (field == "layout")
      actual = to_string(c.layout);
    else if (field == "fuse")
      actual = to_string(c.fuse);
    else if (field == "mask")
      actual = value == to_string(c.mask.kind) ? value : c.mask.label();
    else if (field == "network")
      actual = c.layer.network.substr(0, c.layer.network.find('['));
    else if (field == "layer")
      actual = c.layer.name;
    else if (field == "batch")
      actual = std::to_string(c.batch);
    if (actual != value) return false;
  }
  return true;
}

Plan expand_cases(const Sweep& sweep) {
  Plan plan;
  std::set<std::string> seen;
  for (const auto& layer : sweep.layers)
    for (const int batch : sweep.batches)
      for (const auto& mask : sweep.masks)
        for (const auto& ws : sweep.weight_sparsities)
          for (const auto& as : sweep.activation_sparsities)
            for (const auto precision : sweep.precisions)
              for (const auto layout : sweep.layouts)
                for (const auto fuse : sweep.fuses)
                  for (const auto& backend : sweep.backends)
                    for (const auto& params : backend.param_sets) {
                      if (fuse == Fuse::pool && !layer.pool) {
                        ++plan.unfusable;
                        continue;
                      }
                      // Pooling and softmax layers have no weights: the mask and weight-sparsity axes give
                      // them one case (the repeats are dropped below).
                      const bool weighted = layer.op == LayerOp::conv;
                      Case c;
                      c.fuse = fuse;
                      c.layer = layer;
                      c.batch = batch;
                      c.mask = weighted ? mask : MaskSpec{};
                      c.weight_sparsity = !weighted                   ? 0.0
                                          : mask.kind == MaskKind::nm ? 1.0 - double(mask.n) / mask.m
                                                                      : ws.resolve(layer.default_weight_sparsity);
                      c.activation_sparsity = as.resolve(layer.default_activation_sparsity);
                      c.activation_pattern = sweep.activation_pattern;
                      c.activation = sweep.activation;
                      c.precision = precision;
                      c.layout = layout;
                      c.backend = backend.name;
                      c.params = params.values;
                      c.tune = backend.tune;
                      c.backend_mark = backend.tune ? backend.tune->mark : params.mark;
                      bool excluded = false;
                      for (const auto& rule : sweep.excludes) excluded = excluded || rule_matches(rule, c);
                      if (excluded) {
                        ++plan.excluded;
                        continue;
                      }
                      // Repeats arise when axis values coincide (two 'default' entries, or N:M masks).
                      if (!seen.insert(c.key()).second) {
                        if (weighted && mask.kind == MaskKind::nm) ++plan.nm_collapsed;
                        continue;
                      }
                      plan.cases.push_back(std::move(c));
                    }
  return plan;
}

}  // namespace scb
