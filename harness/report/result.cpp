#include "harness/report/result.hpp"

namespace scb {

std::string to_string(CaseStatus status) {
  switch (status) {
    case CaseStatus::ok:
      return "ok";
    case CaseStatus::verified:
      return "verified";
    case CaseStatus::incorrect:
      return "incorrect";
    case CaseStatus::error:
      return "error";
  }
  return "error";
}

std::int64_t minimal_bytes(const Case& c, double weight_density) {
  const double elements =
      double(c.layer.input_count(c.batch)) + double(c.output_count()) + double(c.layer.weight_count()) * weight_density;
  return std::int64_t(elements * double(bytes_per_element(storage_of(c.precision))) + 0.5);
}

DerivedFigures derive_figures(const Case& c, double weight_density, double activation_density,
                              std::optional<double> median_us, const std::optional<DeviceCeilings>& ceilings) {
  DerivedFigures d;
  d.dense_flops = c.layer.dense_flops(c.batch);
  d.weight_density = weight_density;
  d.activation_density = activation_density;
  d.useful_flops = std::int64_t(double(d.dense_flops) * weight_density + 0.5);
  d.minimal_bytes = minimal_bytes(c, weight_density);
  if (ceilings) d.roofline = roofline_for(*ceilings, c.precision, double(d.useful_flops), double(d.minimal_bytes));
  if (median_us && *median_us > 0) {
    d.tflops_useful = double(d.useful_flops) / (*median_us * 1e6);
    d.tflops_effective = double(d.dense_flops) / (*median_us * 1e6);
    if (d.roofline) d.roofline_fraction = d.roofline->time_us / *median_us;
    if (ceilings && ceilings->measured_copy_gbs > 0)
      d.copy_bandwidth_fraction = double(d.minimal_bytes) / (*median_us * 1e3) / ceilings->measured_copy_gbs;
  }
  return d;
}

nlohmann::json shape_to_json(const Layer& l) {
  return {{"C", l.C},
          {"H", l.H},
          {"W", l.W},
          {"K", l.K},
          {"R", l.R},
          {"S", l.S},
          {"stride", {l.stride_h, l.stride_w}},
          {"pad", {l.pad_h, l.pad_w}},
          {"dilation", {l.dilation_h, l.dilation_w}},
          {"groups", l.groups},
          {"P", l.P()},
          {"Q", l.Q()}};
}

nlohmann::json case_to_json(const Case& c) {
  const Layer& l = c.layer;
  nlohmann::json json = {
      {"key", c.key()},
      {"network", l.network},
      {"layer", l.name},
      {"shape", shape_to_json(l)},
      {"batch", c.batch},
      {"weight_sparsity", c.weight_sparsity},
      {"activation_sparsity", c.activation_sparsity},
      {"activation_pattern", c.activation.from_file() ? "file" : to_string(c.activation_pattern)},
      {"mask", c.mask.label()},
      {"precision", to_string(c.precision)},
      {"layout", to_string(c.layout)},
      {"fuse", to_string(c.fuse)},
      {"backend", c.backend},
      {"tune", c.tune ? nlohmann::json{{"strategy", c.tune->strategy},
                                       {"budget", {{"evaluations", c.tune->evaluations}, {"seconds", c.tune->seconds}}},
                                       {"cached", c.tune->cached}}
                      : nlohmann::json(nullptr)},
      {"params", c.params}};
  json["op"] = to_string(l.op);
  if (l.op == LayerOp::pool) json["pool_mode"] = to_string(l.pool_mode);
  // Real data: the files it came from (the sparsities above are then the files' own).
  if (c.mask.kind == MaskKind::weights) json["weights_file"] = c.mask.path_for(l).string();
  if (c.mask.kind == MaskKind::file) json["mask_file"] = c.mask.path_for(l).string();
  if (c.activation.from_file()) json["activation_file"] = c.activation.path_for(l).string();
  return json;
}

namespace {

// The statistics every timing shares, each with its unit in its name.
nlohmann::json stats_json(const SampleStats& s) {
  return {{"sample_count", s.count}, {"median_us", s.median}, {"mean_us", s.mean}, {"min_us", s.min},
          {"max_us", s.max},         {"stdev_us", s.stdev},   {"p10_us", s.p10},   {"p90_us", s.p90}};
}

nlohmann::json kernel_timing_to_json(const KernelScope& k) {
  const SampleStats& s = k.stats;
  nlohmann::json kernels = nlohmann::json::array();
  for (const auto& launch : k.kernels)
    kernels.push_back({{"name", launch.name},
                       {"grid", launch.grid},
                       {"block", launch.block},
                       {"registers_per_thread", launch.registers_per_thread},
                       {"static_shared_bytes", launch.static_shared_bytes},
                       {"dynamic_shared_bytes", launch.dynamic_shared_bytes},
                       {"duration_us", launch.duration_us}});
  nlohmann::json j = stats_json(s);
  j["scope"] = "kernel";
  j["samples_us"] = k.samples_us;
  j["kernels_per_op"] = k.kernels.size();
  j["kernels"] = kernels;
  return j;
}

nlohmann::json timing_to_json(const TimingResult& t) {
  const SampleStats& s = t.stats;
  nlohmann::json clock = {{"available", t.clock.available}};
  if (t.clock.available) {
    clock["sm_clock_start_mhz"] = t.clock.start_mhz;
    clock["sm_clock_min_mhz"] = t.clock.min_mhz;
    clock["sm_clock_max_mhz"] = t.clock.max_mhz;
    clock["throttled_samples"] = t.clock.throttled_samples;
  }
  nlohmann::json j = stats_json(s);
  j.update({{"scope", to_string(t.scope)},
            {"l2", t.cold_l2 ? "cold" : "hot"},
            {"warmup_runs", t.warmup_runs},
            {"stop_reason", t.stop_reason},
            {"blocking_timeouts", t.blocking_timeouts},
            {"median_noise", s.median_noise},
            {"clock", clock},
            {"samples_us", t.samples_us}});
  if (!t.launch.empty()) j["launch"] = t.launch;
  if (!t.graph_fallback.empty()) j["graph_fallback"] = t.graph_fallback;
  return j;
}

}  // namespace

nlohmann::json result_to_json(const CaseResult& r) {
  nlohmann::json j = {{"case", case_to_json(r.c)}, {"status", to_string(r.status)}};
  if (!r.error.empty()) j["error"] = r.error;
  j["verify"] = {{"checked", r.verify.checked}, {"passed", r.verify.passed}};
  if (r.verify.checked) {
    j["verify"]["reference"] = r.verify.reference;
    j["verify"]["rel_l2_error"] = r.verify.metrics.rel_l2;
    j["verify"]["max_rel_error"] = r.verify.metrics.max_rel_error;
    j["verify"]["max_abs_error"] = r.verify.metrics.max_abs_error;
    j["verify"]["nonfinite_outputs"] = r.verify.metrics.nonfinite;
    j["verify"]["tolerance"] = {{"rel_l2_error", r.verify.tolerance.rel_l2},
                                {"max_rel_error", r.verify.tolerance.max_rel_error}};
  }
  j["timing"] = r.timing ? timing_to_json(*r.timing) : nlohmann::json(nullptr);
  if (r.kernel_timing)
    j["kernel_timing"] = kernel_timing_to_json(*r.kernel_timing);
  else if (!r.kernel_timing.why_not().empty())
    j["kernel_timing"] = {{"unavailable", r.kernel_timing.why_not()}};
  if (r.counters) {
    nlohmann::json kernels = nlohmann::json::array();
    for (std::size_t i = 0; i < r.counters->kernels.size(); ++i) {
      nlohmann::json values = nlohmann::json::object();
      for (std::size_t m = 0; m < r.counters->metrics.size(); ++m)
        values[r.counters->metrics[m]] = r.counters->kernels[i].values[m];
      nlohmann::json kernel = {{"values", values}};
      // Both passes list the op's kernels in launch order: name them when the counts agree.
      if (r.kernel_timing && r.kernel_timing->kernels.size() == r.counters->kernels.size())
        kernel["name"] = r.kernel_timing->kernels[i].name;
      kernels.push_back(kernel);
    }
    nlohmann::json totals = nlohmann::json::object();
    for (const auto& [metric, value] : r.counters->op_totals) totals[metric] = value;
    j["counters"] = {{"chip", r.counters_chip},
                     {"passes", r.counters->passes},
                     {"metrics", r.counters->metrics},
                     {"op_totals", totals},
                     {"kernels", kernels}};
  } else if (!r.counters.why_not().empty()) {
    j["counters"] = {{"unavailable", r.counters.why_not()}};
  }
  if (r.energy)
    j["energy"] = {{"mj_per_op", r.energy->mj_per_op},
                   {"average_watts", r.energy->average_watts},
                   {"ops", r.energy->ops},
                   {"seconds", r.energy->seconds}};
  else if (!r.energy.why_not().empty())
    j["energy"] = {{"unavailable", r.energy.why_not()}};
  j["prepare_us"] = r.prepare_us ? nlohmann::json(*r.prepare_us) : nlohmann::json(nullptr);
  j["backend_details"] = r.backend_details;
  if (!r.tuning.is_null()) j["tuning"] = r.tuning;
  const DerivedFigures& d = r.derived;
  j["derived"] = {{"dense_flops", d.dense_flops},       {"useful_flops", d.useful_flops},
                  {"weight_density", d.weight_density}, {"activation_density", d.activation_density},
                  {"tflops_useful", d.tflops_useful},   {"tflops_effective", d.tflops_effective},
                  {"minimal_bytes", d.minimal_bytes}};
  if (d.roofline) {
    j["derived"]["roofline"] = {{"peak_tflops", d.roofline->peak_tflops},
                                {"bandwidth_gbs", d.roofline->bandwidth_gbs},
                                {"compute_time_us", d.roofline->compute_time_us},
                                {"memory_time_us", d.roofline->memory_time_us},
                                {"time_us", d.roofline->time_us},
                                {"bound", d.roofline->bound}};
  }
  if (d.roofline_fraction) j["derived"]["roofline_fraction"] = *d.roofline_fraction;
  if (d.copy_bandwidth_fraction) j["derived"]["copy_bandwidth_fraction"] = *d.copy_bandwidth_fraction;
  return j;
}

}  // namespace scb
