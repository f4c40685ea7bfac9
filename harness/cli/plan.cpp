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
  else if (why.field == "backend")
    value = "";
  else
    value = c.layer.name;  // "layer", and any field an exclude rule cannot name
  const std::string field = why.field == "precision" || why.field == "layout" || why.field == "mask" ||
                                    why.field == "batch" || why.field == "backend"
                                ? why.field
                                : "layer";
  std::string fields = "backend: " + c.backend;
  if (field != "backend") fields += ", " + field + ": " + value;
  return "remove this backend, or skip such cases with 'exclude: [{" + fields + "}]'";
}

// Loads every mask file once, checks it, and labels its cases with the file's real sparsity: the sweep's
// weight_sparsity value means nothing for a mask that comes from a file. Cases that then coincide merge.
void resolve_mask_files(Plan& plan) {
  std::map<std::string, double> sparsity_of;  // path + layer -> measured fraction of zeros
  for (auto& c : plan.cases) {
    if (c.mask.kind != MaskKind::file) continue;
    const auto path = c.mask.path_for(c.layer);
    const std::string id = path.string() + " " + c.layer.id();
    auto known = sparsity_of.find(id);
    if (known == sparsity_of.end()) {
      if (!std::filesystem::exists(path))
        throw SpecError(c.mask.mark, "mask file " + path.string() + " for layer " + c.layer.id() + " does not exist",
                        "create it (shape K x C/groups x R x S) or fix the path; {network} and {layer} are replaced");
      Mask mask;
      try {
        mask = load_npy_mask(path, {c.layer.K, c.layer.channels_per_group(), c.layer.R, c.layer.S});
      } catch (const NpyError& e) {
        throw SpecError(c.mask.mark, e.what(), "regenerate the mask for layer " + c.layer.id());
      }
      const auto kept = std::count(mask.begin(), mask.end(), 1);
      known = sparsity_of.emplace(id, 1.0 - double(kept) / double(mask.size())).first;
    }
    c.weight_sparsity = known->second;
  }
  std::set<std::string> seen;
  std::erase_if(plan.cases, [&](const Case& c) {
    const bool repeat = !seen.insert(c.key()).second;
    plan.file_mask_merged += repeat ? 1 : 0;
    return repeat;
  });
}

}  // namespace

Plan build_plan(const Sweep& sweep) {
  check_backends(sweep);
  Plan plan = expand_cases(sweep);
  if (plan.cases.empty())
    throw SpecError({sweep.file, 0, 0}, "the sweep expands to no case (every case is excluded)",
                    "loosen the 'exclude' rules");
  for (const auto& c : plan.cases)
    if (const auto why = find_backend(c.backend)->unsupported(c))
      throw SpecError(c.backend_mark, "backend '" + c.backend + "' cannot run case " + c.key() + ": " + why->reason,
                      exclude_hint(c, *why));
  resolve_mask_files(plan);
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
