// The case engine's tuning path: a case whose backend params are chosen by the tuner. Each config the
// strategy asks for is verified, then timed in a short preset; failures are recorded and the search goes
// on; the fastest three are timed again with the run's full stopping rule, and the fastest of those is
// the choice, which then runs as an ordinary case. Every evaluation and the choice go to the cache.
#include <chrono>
#include <cstdio>

#include "harness/backends/registry.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/report/build_stamp.hpp"
#include "harness/run/case_runner.hpp"
#include "harness/tune/search_space.hpp"
#include "harness/tune/strategy.hpp"

namespace scb {

// The backend's params with their legal values (or the sweep's space); a config may run when its params
// obey the backend's rules and the backend can run the case with them.
SearchSpace search_space_of(const Backend& backend, const Case& c) {
  std::vector<SearchParam> params;
  const auto& space = c.tune->space;
  for (const auto& def : backend.params()) {
    if (space.empty()) {
      params.push_back({def.name, def.values});
    } else if (const auto it = space.find(def.name); it != space.end()) {
      params.push_back({def.name, it->second});
    } else {
      params.push_back({def.name, {def.values.front()}});  // not in the space: its default
    }
  }
  return SearchSpace(params, [&backend, c](const SearchSpace::Values& values) {
    Case with = c;
    with.params = Params(values.begin(), values.end());
    with.tune.reset();
    return !backend.check_params(with.params) && !backend.unsupported(with);
  });
}

namespace {

nlohmann::json params_json(const Params& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : params) j[name] = value;
  return j;
}

// Only the values that differ from the defaults: what a sweep would have listed.
Params without_defaults(const Backend& backend, const SearchSpace::Values& values) {
  Params params;
  for (const auto& def : backend.params()) {
    const auto it = values.find(def.name);
    if (it != values.end() && it->second != def.values.front()) params[def.name] = it->second;
  }
  return params;
}

}  // namespace

TuningKey CaseRunner::tuning_key(const Case& c) const {
  TuningKey key;
  const auto& gpu = environment_.at("gpu");
  key.gpu_name = gpu.value("name", "");
  key.sm_count = gpu.value("sm_count", 0);
  key.memory_clock_mhz = gpu.value("memory_clock_mhz", 0);
  key.driver = environment_.value("driver_version", "");
  key.cuda = environment_.value("cuda_runtime", "");
  key.libraries = "cudnn " + environment_.value("cudnn", std::string()) + ", cublas " +
                  environment_.value("cublas", std::string()) + ", cusparse " +
                  environment_.value("cusparse", std::string());
  key.source_hash = build_source_hash();
  key.backend = c.backend;
  key.shape = shape_to_json(c.layer);
  key.batch = c.batch;
  key.precision = to_string(c.precision);
  key.layout = to_string(c.layout);
  key.space = c.tune ? c.tune->space_text() : "";
  key.mask_fingerprint = c.mask.label() + " ws=" + format_fraction(c.weight_sparsity) +
                         " as=" + format_fraction(c.activation_sparsity) + " seed=" + std::to_string(seed_) +
                         (c.mask.kind == MaskKind::file || c.mask.kind == MaskKind::weights
                              ? " file=" + file_fingerprint(c.mask.path_for(c.layer))
                              : "");
  return key;
}

CaseResult CaseRunner::run_tuned(const Case& c) {
  try {
    return tune_then_run(c);
  } catch (const GpuError&) {
    throw;                             // the context is gone: the sweep loop saves what it has and stops
  } catch (const std::exception& e) {  // the search itself failed (a space it cannot walk, the cache unwritable)
    CaseResult failed;
    failed.c = c;
    failed.status = CaseStatus::error;
    failed.error = std::string("tuning failed: ") + e.what();
    return failed;
  }
}

CaseResult CaseRunner::tune_then_run(const Case& c) {
  const Backend* backend = find_backend(c.backend);
  const TuneSpec& spec = *c.tune;
  const TuningKey key = tuning_key(c);
  nlohmann::json tuning = {{"strategy", spec.strategy},
                           {"budget", {{"evaluations", spec.evaluations}, {"seconds", spec.seconds}}},
                           {"key_hash", key.hash()},
                           {"cache_file", cache_.file().string()}};
  std::optional<Params> chosen;
  if (spec.cached) {
    if (const auto hit = cache_.lookup(key)) {
      chosen = Params();
      for (const auto& [name, value] : hit->params.items()) (*chosen)[name] = value.get<std::string>();
      tuning["cache"] = "hit";
      tuning["evaluations_used"] = 0;
      tuning["cached_choice"] = {{"time_us", hit->time_us}, {"strategy", hit->strategy}};
    } else if (!tuning_options_.tune_on_miss) {
      chosen = Params();
      tuning["cache"] = "miss: the backend's defaults (tuning on a miss is off)";
      std::fprintf(stderr, "warning: no cached choice for %s; running the defaults\n", c.key().c_str());
    } else {
      tuning["cache"] = "miss: tuned";
    }
  } else {
    tuning["cache"] = "not read (tune:); written";
  }

  if (!chosen) {
    const SearchSpace space = search_space_of(*backend, c);
    MeasureSettings quick = settings_;
    quick.warmup_runs = 2;
    quick.min_samples = quick.max_samples = 5;
    nlohmann::json evaluated = nlohmann::json::array();
    const EvaluateConfig evaluate = [&](const Config& config, std::string& failure) -> std::optional<double> {
      Case candidate = c;
      candidate.tune.reset();
      const auto values = space.values(config);
      candidate.params = Params(values.begin(), values.end());
      const CaseResult r = run_with(candidate, quick, false);
      nlohmann::json entry = {{"params", params_json(candidate.params)}};
      std::optional<double> time;
      if (r.status == CaseStatus::ok && r.timing) {
        time = r.timing->stats.median;
        entry["median_us"] = *time;
      } else {
        failure = to_string(r.status) + ": " + r.error;
        entry["failure"] = failure;
      }
      evaluated.push_back(entry);
      cache_.record_evaluation(key, params_json(candidate.params), time, failure, spec.strategy);
      return time;
    };
    const TuningTrace trace = run_strategy(*parse_strategy(spec.strategy), space, {spec.evaluations, spec.seconds},
                                           evaluate, derive_seed(seed_, "tune " + c.key()));
    tuning["evaluations_used"] = trace.evaluations.size();
    tuning["seconds"] = trace.seconds;
    tuning["stop_reason"] = trace.stop_reason;
    tuning["best_so_far_us"] = trace.best_so_far_us;
    tuning["evaluated"] = evaluated;
    // Noise must not choose: the fastest three are timed again with the run's full stopping rule.
    nlohmann::json retimed = nlohmann::json::array();
    double best_us = 0;
    for (const std::size_t index : trace.fastest(3)) {
      Case candidate = c;
      candidate.tune.reset();
      const auto values = space.values(trace.evaluations[index].config);
      candidate.params = Params(values.begin(), values.end());
      const CaseResult r = run_with(candidate, settings_, false);
      if (r.status != CaseStatus::ok || !r.timing) continue;
      retimed.push_back({{"params", params_json(candidate.params)}, {"median_us", r.timing->stats.median}});
      if (!chosen || r.timing->stats.median < best_us) {
        best_us = r.timing->stats.median;
        chosen = without_defaults(*backend, values);
      }
    }
    tuning["retimed"] = retimed;
    if (!chosen) {
      CaseResult failed;
      failed.c = c;
      failed.status = CaseStatus::error;
      failed.error = "tuning found no config that runs and verifies (" + std::to_string(trace.evaluations.size()) +
                     " evaluated; see tuning.evaluated)";
      failed.tuning = tuning;
      return failed;
    }
    cache_.record_choice(key, {params_json(*chosen), best_us, spec.strategy, int(trace.evaluations.size())});
  }
  tuning["chosen"] = params_json(*chosen);

  Case final_case = c;
  final_case.tune.reset();
  final_case.params = *chosen;
  CaseResult result;
  if (tuning_options_.tune_only) {
    result.c = c;
    result.status = CaseStatus::verified;  // every evaluation was verified; nothing more is timed
  } else {
    result = run_with(final_case, settings_, true);
    result.c = c;  // the tuned case's own key; the params it ran with are tuning.chosen
  }
  result.tuning = tuning;
  return result;
}

}  // namespace scb
