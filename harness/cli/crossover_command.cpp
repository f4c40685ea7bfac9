#include "harness/cli/crossover_command.hpp"

#include <cstdio>
#include <sstream>

#include "harness/backends/registry.hpp"
#include "harness/run/case_runner.hpp"
#include "harness/report/document_header.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "harness/spec/network.hpp"
#include "harness/spec/yaml_reader.hpp"
#include "harness/tune/crossover_search.hpp"

namespace scb {

namespace {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "format=csr,order=row" -> {format: csr, order: row}
Params parse_params(const std::string& text) {
  Params params;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) continue;
    const auto equals = item.find('=');
    if (equals == std::string::npos)
      throw UsageError("params are name=value pairs separated by commas, got '" + item + "'");
    params[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return params;
}

Case make_case(const Layer& layer, int batch, const MaskSpec& mask, const std::string& backend_name,
               const std::string& params, const std::string& precision) {
  Case c;
  c.layer = layer;
  c.batch = batch;
  c.mask = mask;
  c.backend = backend_name;
  c.params = parse_params(params);
  const auto parsed = parse_precision(precision);
  if (!parsed) throw UsageError("unknown precision '" + precision + "'; use " + join(precision_names(), ", "));
  c.precision = *parsed;
  const Backend* backend = find_backend(backend_name);
  if (!backend) throw UsageError("unknown backend '" + backend_name + "'; available: " + join(backend_names(), ", "));
  if (const auto problem = backend->check_params(c.params)) throw UsageError(*problem);
  if (const auto why = backend->unsupported(c))
    throw UsageError(backend_name + " cannot run this case: " + why->reason);
  return c;
}

}  // namespace

int crossover_command(const CrossoverArgs& args) {
  Case sparse, dense;
  try {
    if (args.batch < 1) throw UsageError("--batch must be at least 1");
    if (args.resolution <= 0 || args.max_sparsity <= 0 || args.max_sparsity >= 1)
      throw UsageError("--resolution must be positive and --max-sparsity in (0, 1)");
    const auto kind = parse_mask_kind(args.mask);
    if (!kind || (*kind != MaskKind::uniform && *kind != MaskKind::channel_imbalanced))
      throw UsageError("--mask must be uniform or channel_imbalanced (the other kinds fix or constrain the sparsity)");
    MaskSpec mask;
    mask.kind = *kind;
    if (args.axis != "weight" && args.axis != "activation")
      throw UsageError("--axis must be weight or activation, got '" + args.axis + "'");
    if (args.weight_sparsity < 0 || args.weight_sparsity >= 1 || args.activation_sparsity < 0 ||
        args.activation_sparsity >= 1)
      throw UsageError("--weight-sparsity and --activation-sparsity must be in [0, 1)");
    if (args.axis == "weight" && args.weight_sparsity != 0)
      throw UsageError("--weight-sparsity is the searched axis here: give --axis activation to hold it fixed");
    if (args.axis == "activation" && args.activation_sparsity != 0)
      throw UsageError("--activation-sparsity is the searched axis here: give --axis weight to hold it fixed");
    const auto pattern = parse_activation_pattern(args.activation_pattern);
    if (!pattern) throw UsageError("--activation-pattern must be uniform, clustered or channel");
    const Layer layer =
        find_layer(args.layer, args.layers_dir.empty() ? default_layers_dir() : std::filesystem::path(args.layers_dir));
    if (layer.op != LayerOp::conv)
      throw UsageError(args.layer + " is a " + to_string(layer.op) +
                       " layer: the crossover searches a convolution's sparsity; name a conv layer");
    sparse = make_case(layer, args.batch, mask, args.sparse_backend, args.sparse_params, args.sparse_precision);
    dense = make_case(layer, args.batch, mask, args.dense_backend, args.dense_params, args.dense_precision);
    for (Case* c : {&sparse, &dense}) {
      c->weight_sparsity = args.weight_sparsity;
      c->activation_sparsity = args.activation_sparsity;
      c->activation_pattern = *pattern;
    }
  } catch (const std::exception& e) {  // UsageError, SpecError from the network file
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  const GpuProbe gpu = probe_gpu();
  if (!gpu.available) {
    std::fprintf(stderr, "error: %s; the crossover search measures on the GPU.\n", gpu.reason.c_str());
    return 1;
  }

  MeasureSettings settings;
  settings.max_time_s = args.max_time_s;
  // The bisection compares medians only: no kernel-scope or counter passes at every step.
  settings.kernel_scope = false;
  settings.counters = "off";
  const std::string output = args.output.empty() ? "results/local/crossover.json" : args.output;
  const bool on_activations = args.axis == "activation";
  const std::string fixed = on_activations ? "weight sparsity " + format_fraction(args.weight_sparsity)
                                           : "activation sparsity " + format_fraction(args.activation_sparsity) + " (" +
                                                 args.activation_pattern + ")";
  const std::string description = sparse.layer.id() + " N=" + std::to_string(args.batch) + ": " + sparse.backend + "{" +
                                  sparse.params_text() + "} " + to_string(sparse.precision) + " vs " + dense.backend +
                                  "{" + dense.params_text() + "} " + to_string(dense.precision) + ", " + args.axis +
                                  " sparsity searched, " + fixed;
  std::filesystem::remove(ResultStore::checkpoint_path(output));  // a search is not resumable
  ResultStore store(output, RunIdentity{fnv1a_hex(description), SCBENCH_VERSION});
  CaseRunner runner(args.seed, settings);
  std::printf("crossover search %s, mask %s, %s sparsity [0, %g], resolution %g\n", description.c_str(),
              args.mask.c_str(), args.axis.c_str(), args.max_sparsity, args.resolution);
  const auto measure = [&](double sparsity) {
    CrossoverStep step;
    step.sparsity = sparsity;
    for (Case* c : {&sparse, &dense}) {
      (on_activations ? c->activation_sparsity : c->weight_sparsity) = sparsity;
      const CaseResult result = runner.run(*c);
      store.append(result_to_json(result));
      if (result.status != CaseStatus::ok)
        throw std::runtime_error(c->key() + " is " + to_string(result.status) + ": " + result.error);
      (c == &sparse ? step.sparse_us : step.dense_us) = result.timing->stats.median;
    }
    std::printf("  sparsity %.4f: sparse %.2f us, dense %.2f us -> %s\n", sparsity, step.sparse_us, step.dense_us,
                step.sparse_wins() ? "sparse wins" : "dense wins");
    std::fflush(stdout);
    return step;
  };

  nlohmann::json document = result_document_header(
      runner.environment(),
      sweep_section("(scbench crossover)", "crossover", fnv1a_hex(description), args.seed, 0, settings));
  int exit_code = 0;
  try {
    const CrossoverOutcome outcome = find_crossover(measure, 0.0, args.max_sparsity, args.resolution);
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : outcome.steps)
      steps.push_back({{"sparsity", s.sparsity}, {"sparse_median_us", s.sparse_us}, {"dense_median_us", s.dense_us}});
    document["crossover"] = {{"layer", sparse.layer.id()}, {"batch", args.batch},  {"sparse", sparse.key()},
                             {"dense", dense.key()},       {"kind", outcome.kind}, {"steps", steps},
                             {"axis", args.axis},          {"held_fixed", fixed}};
    if (outcome.kind == "crossover") {
      document["crossover"]["sparsity_low"] = outcome.low;
      document["crossover"]["sparsity_high"] = outcome.high;
      document["crossover"]["sparsity_estimate"] = outcome.estimate();
      std::printf("crossover at sparsity %.4f (sparse loses at %.4f, wins at %.4f)\n", outcome.estimate(), outcome.low,
                  outcome.high);
    } else if (outcome.kind == "never") {
      std::printf("no crossover in [0, %g]: dense is faster even at %s sparsity %g\n", args.max_sparsity,
                  args.axis.c_str(), args.max_sparsity);
      if (args.max_sparsity < 0.999) std::printf("  to search higher: --max-sparsity 0.999 --resolution 0.001\n");
    } else {
      std::printf("no crossover: the sparse backend is faster already at sparsity 0\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    exit_code = 1;
  }
  document["sweep"]["case_count"] = store.results().size();
  store.write_final(document);
  std::printf("results in %s\n", output.c_str());
  return exit_code;
}

}  // namespace scb
