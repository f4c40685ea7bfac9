#include "harness/cli/plan.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "harness/backends/registry.hpp"
#include "harness/sparsity/npy.hpp"
#include "harness/tune/strategy.hpp"
#include "harness/spec/yaml_reader.hpp"

namespace scb {

namespace {

void check_backends(const Sweep& sweep) {
  for (const auto& spec : sweep.backends) {
    const Backend* backend = find_backend(spec.name);
    for (const auto& missing : unavailable_backends())
      if (!backend && missing.name == spec.name)
        throw SpecError(spec.mark, "backend '" + spec.name + "' is not built into this scbench", missing.reason);
    if (!backend) {
      const std::string suggestion = closest_match(spec.name, backend_names());
      throw SpecError(spec.mark, "unknown backend '" + spec.name + "'",
                      (suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ") +
                          "available backends: " + join(backend_names(), ", ") + " (see 'scbench list backends')");
    }
    for (const auto& set : spec.param_sets)
      if (const auto problem = backend->check_params(set.values))
        throw SpecError(set.mark, *problem, "see 'scbench list backends' for each backend's params and legal values");
    if (spec.tune) {
      if (!parse_strategy(spec.tune->strategy))
        throw SpecError(spec.tune->mark, "unknown tuning strategy '" + spec.tune->strategy + "'",
                        "use one of: " + join(strategy_names(), ", "));
      if (backend->params().empty())
        throw SpecError(spec.tune->mark, "backend '" + spec.name + "' has no params to tune",
                        "remove 'tune:' and 'params: auto' for it; 'scbench list backends' shows the tunable ones");
      for (const auto& [name, values] : spec.tune->space)
        for (const auto& value : values)
          if (const auto problem = backend->check_params({{name, value}}))
            throw SpecError(spec.tune->space_mark, "tuning space: " + *problem,
                            "see 'scbench list backends' for each backend's params and legal values");
    }
  }
}

// The exclude rule that skips such cases, keyed on the field the backend named.
std::string exclude_hint(const Case& c, const Unsupported& why) {
  std::string value;
  if (why.field == "precision")
    value = to_string(c.precision);
  else if (why.field == "layout")
    value = to_string(c.layout);
  else if (why.field == "mask")
    value = to_string(c.mask.kind);
  else if (why.field == "batch")
    value = std::to_string(c.batch);
  else if (why.field == "fuse")
    value = to_string(c.fuse);
  else if (why.field == "backend")
    value = "";
  else
    value = c.layer.name;  // "layer", and any field an exclude rule cannot name
  const std::string field = why.field == "precision" || why.field == "layout" || why.field == "mask" ||
                                    why.field == "batch" || why.field == "backend" || why.field == "fuse"
                                ? why.field
                                : "layer";
  std::string fields = "backend: " + c.backend;
  if (field != "backend") fields += ", " + field + ": " + value;
  return "remove this backend, or skip such cases with 'exclude: [{" + fields + "}]'";
}

// The fraction of zeros in a real tensor.
double zero_fraction(const std::vector<float>& values) {
  if (values.empty()) return 0.0;
  return double(std::count(values.begin(), values.end(), 0.0f)) / double(values.size());
}

// Loads every mask, weights and feature-map file once, checks it, and labels its cases with the file's real
// sparsity: the sweep's sparsity values mean nothing for data that comes from a file. Cases that then
// coincide merge.
void resolve_data_files(Plan& plan) {
  std::map<std::string, double> sparsity_of;  // what + path + layer (+ batch) -> measured fraction of zeros
  const auto measured = [&](const std::string& id, const std::filesystem::path& path, const SourceMark& mark,
                            const std::string& what, const std::string& shape_fix, const auto& load) {
    auto known = sparsity_of.find(id);
    if (known != sparsity_of.end()) return known->second;
    if (!std::filesystem::exists(path))
      throw SpecError(mark, what + " file " + path.string() + " does not exist",
                      "create it (" + shape_fix + ") or fix the path; {network} and {layer} are replaced");
    try {
      return sparsity_of.emplace(id, load(path)).first->second;
    } catch (const NpyError& e) {
      throw SpecError(mark, e.what(), "write it with shape " + shape_fix);
    }
  };
  for (auto& c : plan.cases) {
    const Layer& l = c.layer;
    const std::vector<std::int64_t> weight_shape{l.K, l.channels_per_group(), l.R, l.S};
    if (c.mask.kind == MaskKind::file) {
      const auto path = c.mask.path_for(l);
      c.weight_sparsity = measured("mask " + path.string() + " " + l.id(), path, c.mask.mark, "mask",
                                   "K x C/groups x R x S", [&](const std::filesystem::path& p) {
                                     const Mask mask = load_npy_mask(p, weight_shape);
                                     return 1.0 - double(std::count(mask.begin(), mask.end(), 1)) / double(mask.size());
                                   });
    } else if (c.mask.kind == MaskKind::weights) {
      const auto path = c.mask.path_for(l);
      c.weight_sparsity = measured(
          "weights " + path.string() + " " + l.id(), path, c.mask.mark, "weights", "K x C/groups x R x S, float32",
          [&](const std::filesystem::path& p) { return zero_fraction(load_npy_values(p, weight_shape, "weights")); });
    }
    if (c.activation.from_file()) {
      const auto path = c.activation.path_for(l);
      const std::string shape_fix = "N x C x H x W = " + std::to_string(c.batch) + " x " + std::to_string(l.C) + " x " +
                                    std::to_string(l.H) + " x " + std::to_string(l.W) +
                                    ", float32; the sweep's batch must be the file's N";
      c.activation_sparsity =
          measured("features " + path.string() + " " + l.id() + " N=" + std::to_string(c.batch), path,
                   c.activation.mark, "feature map", shape_fix, [&](const std::filesystem::path& p) {
                     return zero_fraction(load_npy_values(p, {c.batch, l.C, l.H, l.W}, "feature map"));
                   });
    }
  }
  std::set<std::string> seen;
  std::erase_if(plan.cases, [&](const Case& c) {
    const bool repeat = !seen.insert(c.key()).second;
    plan.file_mask_merged += repeat ? 1 : 0;
    return repeat;
  });
}

// Each backend runs the cases it applies to (the kinds of layer it computes); a layer that no listed backend
// computes is an error.
void drop_cases_of_other_ops(const Sweep& sweep, Plan& plan) {
  std::erase_if(plan.cases, [&](const Case& c) {
    const bool other = !find_backend(c.backend)->applies(c);
    plan.other_op += other ? 1 : 0;
    return other;
  });
  for (const Layer& layer : sweep.layers) {
    if (std::any_of(plan.cases.begin(), plan.cases.end(), [&](const Case& c) { return c.layer.id() == layer.id(); }))
      continue;
    std::vector<std::string> able;
    for (const auto& backend : all_backends())
      if (backend->ops().count(layer.op)) able.push_back(backend->name());
    const bool listed = std::any_of(sweep.backends.begin(), sweep.backends.end(),
                                    [&](const auto& b) { return find_backend(b.name)->ops().count(layer.op) > 0; });
    if (!listed)
      throw SpecError(
          {sweep.file, 0, 0},
          "layer " + layer.id() + " is a " + to_string(layer.op) + " layer, which no backend of the sweep computes",
          able.empty() ? "no backend of this build computes " + to_string(layer.op) + " layers"
                       : "add one of: " + join(able, ", "));
  }
}

}  // namespace

Plan build_plan(const Sweep& sweep) {
  check_backends(sweep);
  Plan plan = expand_cases(sweep);
  drop_cases_of_other_ops(sweep, plan);
  if (plan.cases.empty() && plan.unfusable)
    throw SpecError({sweep.file, 0, 0}, "no layer of the sweep has a pool, and 'fuse' asks for conv+pool only",
                    "add 'none' to 'fuse', or choose layers with a 'pool:' in their network file");
  if (plan.cases.empty())
    throw SpecError({sweep.file, 0, 0}, "the sweep expands to no case (every case is excluded)",
                    "loosen the 'exclude' rules");
  for (const auto& c : plan.cases) {
    const Backend* backend = find_backend(c.backend);
    if (c.fuse == Fuse::pool && !backend->fuses_pool())
      throw SpecError(c.backend_mark,
                      "backend '" + c.backend + "' times the convolution alone; it cannot run case " + c.key(),
                      exclude_hint(c, Unsupported{"fuse", ""}));
    if (const auto why = backend->unsupported(c))
      throw SpecError(c.backend_mark, "backend '" + c.backend + "' cannot run case " + c.key() + ": " + why->reason,
                      exclude_hint(c, *why));
  }
  resolve_data_files(plan);
  return plan;
}

void filter_plan(Plan& plan, const std::string& pattern) {
  std::regex regex;
  try {
    regex = std::regex(pattern);
  } catch (const std::regex_error& e) {
    throw SpecError({"--filter", 0, 0}, "'" + pattern + "' is not a valid regular expression: " + e.what(),
                    "use ECMAScript regex syntax, e.g. 'vgg19/conv4_2 .* cudnn'");
  }
  std::erase_if(plan.cases, [&](const Case& c) { return !std::regex_search(c.key(), regex); });
}

std::string describe_plan(const Sweep& sweep, const Plan& plan, bool list_cases) {
  std::string text = "sweep " + sweep.name + " (" + sweep.file + "): " + std::to_string(plan.cases.size()) + " cases";
  std::set<std::string> layers, backends;
  for (const auto& c : plan.cases) {
    layers.insert(c.layer.id());
    backends.insert(c.backend);
  }
  text += " over " + std::to_string(layers.size()) + " layers and " + std::to_string(backends.size()) + " backends";
  if (plan.excluded) text += "; " + std::to_string(plan.excluded) + " excluded by rules";
  if (plan.nm_collapsed)
    text += "; " + std::to_string(plan.nm_collapsed) + " merged (an N:M mask fixes the weight sparsity)";
  if (plan.file_mask_merged)
    text += "; " + std::to_string(plan.file_mask_merged) + " merged (a mask file fixes the weight sparsity)";
  if (plan.unfusable) text += "; " + std::to_string(plan.unfusable) + " without a pool to fuse";
  if (plan.other_op)
    text += "; " + std::to_string(plan.other_op) + " no case for their backend (a layer it does not compute, or " +
            "a transform into its own layout)";
  text += "\nmeasure: scope " + to_string(sweep.measure.scope) + ", L2 " + (sweep.measure.cold_l2 ? "cold" : "hot") +
          ", >= " + std::to_string(sweep.measure.min_samples) +
          " samples, median noise <= " + format_fraction(sweep.measure.max_noise) + " or " +
          format_fraction(sweep.measure.max_time_s) + " s per case\n";
  const MeasureSettings& m = sweep.measure;
  const std::string counters = m.counters.size() > 40 ? m.counters.substr(0, 37) + "..." : m.counters;
  text += "passes: kernel scope " + (m.kernel_scope ? std::to_string(m.kernel_runs) + " runs" : std::string("off")) +
          ", counters " + counters + ", energy " +
          (m.energy_s > 0 ? format_fraction(m.energy_s) + " s" : std::string("off")) + "\n";
  text += "output: " + sweep.output + "\n";
  if (!list_cases) return text;
  for (std::size_t i = 0; i < plan.cases.size(); ++i)
    text += "  " + std::to_string(i + 1) + ". " + plan.cases[i].key() + "\n";
  return text;
}

}  // namespace scb
