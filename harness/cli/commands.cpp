#include "harness/cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <charconv>
#include <set>
#include <sstream>

#include "harness/backends/registry.hpp"
#include "harness/cli/crossover_command.hpp"
#include "harness/cli/plan_layouts_command.hpp"
#include "harness/cli/plan.hpp"
#include "harness/cli/sharding.hpp"
#include "harness/cli/sweep_loop.hpp"
#include "harness/cli/tune_replay.hpp"
#include "harness/gpu/device.hpp"
#include "harness/report/build_stamp.hpp"
#include "harness/report/compare.hpp"
#include "harness/report/gbench_export.hpp"
#include "harness/report/json_file.hpp"
#include "harness/report/merge.hpp"
#include "harness/report/document_header.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/result_store.hpp"
#include "harness/spec/network.hpp"
#include "harness/spec/yaml_reader.hpp"
#include "harness/tune/tuning_cache.hpp"

namespace scb {

namespace {

constexpr int kExitBadInput = 2;

struct RunArgs {
  std::string sweep;
  bool dry_run = false;
  std::string filter;
  std::string output;
  bool resume = false;
  bool retry_unsuccessful = false;
  bool resume_any = false;
  bool verify_only = false;
  std::string layers_dir;
  std::string counters;      // overrides the sweep's measure.counters
  std::string kernel_scope;  // "on" or "off": overrides the sweep's measure.kernel_scope
  std::string tuning_cache;  // the tuning cache file (default: TuningCache::default_file())
  std::string on_cache_miss = "tune";
  // scbench tune: only the tuned cases, chosen and cached, no final timing; optionally the cache exported.
  bool tune_only = false;
  std::string export_kernel_tuner;
  std::string shard;        // "I/N": only that part of the plan
  std::string plan_output;  // with --dry-run: write the planned cases as a document (no GPU needed)
  std::string gpus;         // "all" or "0,2,3": one worker process per GPU
  double case_timeout_s = 1800;
  bool worker = false;  // the hidden `scbench worker`: cases by key on stdin, results on stdout
};

// "all" or a comma-separated list of device indices, each below `count`.
std::vector<int> parse_gpus(const std::string& text, int count) {
  std::vector<int> devices;
  if (text == "all") {
    for (int d = 0; d < count; ++d) devices.push_back(d);
    return devices;
  }
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    int device = -1;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), device);
    if (ec != std::errc() || end != item.data() + item.size() || device < 0 || device >= count)
      throw SpecError({"--gpus", 0, 0},
                      "'" + item + "' is not a GPU of this host (it has " + std::to_string(count) + ")",
                      "use all, or device indices from 0 to " + std::to_string(count - 1) + ", e.g. --gpus 0,1");
    if (std::find(devices.begin(), devices.end(), device) == devices.end()) devices.push_back(device);
  }
  return devices;
}

// The command line that starts a worker for the same sweep and settings.
std::vector<std::string> worker_command(const RunArgs& args) {
  std::vector<std::string> argv{std::filesystem::read_symlink("/proc/self/exe").string(), "worker", args.sweep};
  const auto pass = [&](const char* flag, const std::string& value) {
    if (!value.empty()) argv.insert(argv.end(), {flag, value});
  };
  pass("--layers-dir", args.layers_dir);
  pass("--counters", args.counters);
  pass("--kernel-scope", args.kernel_scope);
  pass("--tuning-cache", args.tuning_cache);
  pass("--on-cache-miss", args.on_cache_miss);
  if (args.verify_only) argv.push_back("--verify-only");
  if (args.tune_only) argv.push_back("--tune-only");
  return argv;
}

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool allow_mixed_gpus = false;
};

struct CompareArgs {
  std::string baseline, current;
  bool markdown = false;
  std::string junit;
  bool fail_on_slower = false;
  CompareThresholds thresholds;
};

struct ExportArgs {
  std::string results;
  std::string output;
};

struct ListArgs {
  std::string what;
  std::string network;
  std::string layers_dir;
};

std::filesystem::path layers_dir_or_default(const std::string& dir) {
  return dir.empty() ? default_layers_dir() : std::filesystem::path(dir);
}

int run_command(const RunArgs& args) {
  Sweep sweep;
  Plan plan;
  ShardSpec shard;
  nlohmann::json shard_json;
  try {
    std::optional<std::filesystem::path> layers_dir;
    if (!args.layers_dir.empty()) layers_dir = args.layers_dir;
    sweep = load_sweep(args.sweep, layers_dir);
    if (!args.counters.empty()) sweep.measure.counters = args.counters;
    if (!args.kernel_scope.empty()) sweep.measure.kernel_scope = args.kernel_scope == "on";
    if (!args.output.empty()) sweep.output = args.output;  // the plan names the file really written
    plan = build_plan(sweep);
    if (args.tune_only) {
      std::erase_if(plan.cases, [](const Case& c) { return !c.tune; });
      if (plan.cases.empty())
        throw SpecError({sweep.file, 0, 0}, "the sweep tunes no backend",
                        "give a backend tune: {strategy: anneal, budget: {evaluations: 40}} or params: auto");
      if (args.output.empty()) {
        sweep.output = std::filesystem::path(sweep.output).replace_extension("").string();
        if (sweep.output.ends_with(".json")) sweep.output.resize(sweep.output.size() - 5);
        sweep.output += ".tuning.json.gz";
      }
    }
    if (!args.shard.empty()) {
      shard = parse_shard(args.shard);
      shard_json = {{"index", shard.index}, {"count", shard.count}, {"plan_case_count", plan.cases.size()}};
      plan.cases = shard_cases(plan.cases, shard);
      if (args.output.empty()) sweep.output = shard_output(sweep.output, shard);
    }
    if (!args.filter.empty()) {
      filter_plan(plan, args.filter);
      if (plan.cases.empty())
        throw SpecError({"--filter", 0, 0}, "no case matches '" + args.filter + "'",
                        "run with --dry-run to see the case keys");
    }
  } catch (const SpecError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
  if (args.worker) {  // stdout carries the results: nothing else may be printed there
    RunOptions options;
    options.verify_only = args.verify_only;
    if (!args.tuning_cache.empty()) options.tuning.cache_file = args.tuning_cache;
    options.tuning.tune_on_miss = args.on_cache_miss == "tune";
    options.tuning.tune_only = args.tune_only;
    try {
      return run_worker(sweep, plan, options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
  }
  std::printf("%s", describe_plan(sweep, plan, args.dry_run).c_str());
  if (args.verify_only) std::printf("verify only: each case is checked against the reference; nothing is timed\n");
  if (args.dry_run) {
    if (args.plan_output.empty()) return 0;
    // A document of planned cases, mergeable like results: how a cluster's wiring is tested without GPUs.
    nlohmann::json planned = nlohmann::json::array();
    for (const auto& c : plan.cases) planned.push_back({{"case", {{"key", c.key()}}}, {"status", "planned"}});
    nlohmann::json section = sweep_json(sweep, plan.cases.size());
    if (!shard_json.is_null()) section["shard"] = shard_json;
    const nlohmann::json document = {{"tool", tool_info()},
                                     {"environment", {{"gpu", {{"name", "none (dry run)"}, {"uuid", ""}}}}},
                                     {"sweep", section},
                                     {"results", planned}};
    write_text_file_atomically(args.plan_output, document.dump(1) + "\n");
    std::printf("plan of %zu cases in %s\n", plan.cases.size(), args.plan_output.c_str());
    return 0;
  }
  std::fflush(stdout);

  const GpuProbe gpu = probe_gpu();
  if (!gpu.available) {
    std::fprintf(stderr,
                 "error: %s; this machine cannot run the sweep.\n"
                 "  The plan above is valid: use --dry-run to check sweeps on machines without a GPU.\n",
                 gpu.reason.c_str());
    return 1;
  }
  RunOptions options;
  options.output = sweep.output;
  options.resume = args.resume || args.retry_unsuccessful || args.resume_any;
  options.retry_unsuccessful = args.retry_unsuccessful;
  options.accept_other_identity = args.resume_any;
  if (!args.tuning_cache.empty()) options.tuning.cache_file = args.tuning_cache;
  options.tuning.tune_on_miss = args.on_cache_miss == "tune";
  options.tuning.tune_only = args.tune_only;
  options.shard = shard_json;
  options.verify_only = args.verify_only;
  try {
    if (!args.gpus.empty()) {
      std::vector<int> devices;
      try {
        devices = parse_gpus(args.gpus, gpu.device_count);
      } catch (const SpecError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return kExitBadInput;
      }
      return run_sweep_on_gpus(sweep, plan, options, devices, worker_command(args), args.case_timeout_s);
    }
    return run_sweep(sweep, plan, options);
  } catch (const ResultStoreError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

void print_backends() {
  for (const auto& missing : unavailable_backends())
    std::printf("%-16s NOT BUILT  %s\n", missing.name.c_str(), missing.reason.c_str());
  for (const auto& backend : all_backends()) {
    std::printf("%-16s built  %s\n", backend->name().c_str(), backend->summary().c_str());
    if (backend->ops() != std::set<LayerOp>{LayerOp::conv}) {  // convolution unless it says otherwise
      std::vector<std::string> ops;
      for (const LayerOp op : backend->ops()) ops.push_back(to_string(op));
      std::printf("%-16s   computes %s layers\n", "", join(ops, ", ").c_str());
    }
    for (const auto& param : backend->params())
      std::printf("%-16s   param %s: %s (default %s)\n                   %s\n", "", param.name.c_str(),
                  join(param.values, "|").c_str(), param.values.front().c_str(), param.description.c_str());
    for (const auto& constraint : backend->constraints())
      std::printf("%-16s   rule  %s\n", "", constraint.rule.c_str());
  }
}

int list_command(const ListArgs& args) {
  const auto dir = layers_dir_or_default(args.layers_dir);
  try {
    if (args.what == "backends") {
      print_backends();
    } else if (args.what == "networks") {
      for (const auto& name : available_networks(dir)) {
        const Network network = load_network(dir / (name + ".yaml"));
        std::printf("%-12s %3zu layers  %s\n", name.c_str(), network.layers.size(), network.description.c_str());
        for (const auto& option : network.options)
          std::printf("%-12s   option %s (default %s%s): %s\n", "", option.name.c_str(), option.default_value.c_str(),
                      option.allowed.empty() ? "" : ("; " + join(option.allowed, "|")).c_str(),
                      option.description.c_str());
      }
    } else {  // layers
      std::vector<std::string> names = available_networks(dir);
      if (!args.network.empty()) names = {args.network};
      std::printf("%-34s %-8s %5s %5s %5s %5s %5s %7s %4s %3s %9s %9s %6s %6s  %s\n", "layer", "op", "C", "HxW", "K",
                  "RxS", "out", "stride", "pad", "g", "pool", "GFLOP/img", "w.sp", "a.sp", "tags");
      for (const auto& name : names) {
        const auto file = dir / (name + ".yaml");
        if (!std::filesystem::exists(file)) {
          std::fprintf(stderr, "error: unknown network '%s'; available: %s\n", name.c_str(),
                       join(available_networks(dir), ", ").c_str());
          return kExitBadInput;
        }
        for (const auto& l : load_network(file).layers) {
          const std::string pool = l.pool ? std::to_string(l.pool->size) + "/" + std::to_string(l.pool->stride) + "->" +
                                                std::to_string(l.pooled_P())
                                          : "-";
          const std::string op = l.op == LayerOp::pool ? to_string(l.pool_mode) + "pool" : to_string(l.op);
          std::printf("%-34s %-8s %5d %5s %5d %5s %5s %7d %4d %3d %9s %9.3f %6.3f %6.3f  %s\n", l.id().c_str(),
                      op.c_str(), l.C, (std::to_string(l.H) + (l.H == l.W ? "" : "x" + std::to_string(l.W))).c_str(),
                      l.K, (std::to_string(l.R) + "x" + std::to_string(l.S)).c_str(),
                      (std::to_string(l.P()) + (l.P() == l.Q() ? "" : "x" + std::to_string(l.Q()))).c_str(), l.stride_h,
                      l.pad_h, l.groups, pool.c_str(), double(l.dense_flops(1)) / 1e9, l.default_weight_sparsity,
                      l.default_activation_sparsity, join(l.tags, ",").c_str());
        }
      }
    }
  } catch (const SpecError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitBadInput;
  }
  return 0;
}

// The plan's case keys when the documents' sweep file is at hand and unchanged: then missing cases can be named.
std::optional<std::vector<std::string>> planned_keys(const nlohmann::json& document) {
  if (!document.contains("sweep") || !document["sweep"].contains("path")) return std::nullopt;
  const std::string path = document["sweep"]["path"];
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    const Sweep sweep = load_sweep(path);
    if (sweep.content_hash != document["sweep"].value("hash", "")) return std::nullopt;
    std::vector<std::string> keys;
    for (const auto& c : build_plan(sweep).cases) keys.push_back(c.key());
    return keys;
  } catch (const SpecError&) {
    return std::nullopt;
  }
}

int merge_command(const MergeArgs& args) {
  std::vector<MergeInput> inputs;
  MergeOutcome outcome;
  std::optional<std::vector<std::string>> keys;
  try {
    for (const auto& file : args.inputs) inputs.push_back({file, read_result_document(file)});
    keys = planned_keys(inputs.front().document);
    outcome = merge_documents(inputs, args.allow_mixed_gpus, keys ? &*keys : nullptr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  }
  write_text_file_atomically(args.output, outcome.document.dump(1) + "\n");
  std::printf("merged %zu documents, %zu results into %s\n", inputs.size(), outcome.document["results"].size(),
              args.output.c_str());
  for (const auto& key : outcome.duplicates) std::printf("duplicate (first kept): %s\n", key.c_str());
  if (!keys) {
    std::printf("the sweep file is missing or changed: missing cases cannot be listed\n");
    return 0;
  }
  for (const auto& key : outcome.missing) std::printf("missing: %s\n", key.c_str());
  if (!outcome.missing.empty()) {
    std::printf("%zu of %zu planned cases are missing: run their shard again with --resume, then merge again\n",
                outcome.missing.size(), keys->size());
    return 1;
  }
  std::printf("complete: all %zu planned cases\n", keys->size());
  return 0;
}

int export_kernel_tuner(const std::string& cache_file, const std::string& directory) {
  const TuningCache cache(cache_file.empty() ? TuningCache::default_file() : std::filesystem::path(cache_file));
  const auto documents = kernel_tuner_caches(cache.read_all());
  if (documents.empty()) {
    std::fprintf(stderr, "error: %s holds no evaluated config to export\n", cache.file().c_str());
    return kExitBadInput;
  }
  std::filesystem::create_directories(directory);
  for (const auto& [name, document] : documents) {
    const auto path = std::filesystem::path(directory) / name;
    write_text_file_atomically(path, document.dump(1) + "\n");
    std::printf("%s: %zu configs\n", path.c_str(), document["cache"].size());
  }
  return 0;
}

int tune_command(const RunArgs& args) {
  if (args.sweep.empty() && args.export_kernel_tuner.empty()) {
    std::fprintf(stderr, "error: give a sweep to tune, or --export-kernel-tuner DIR to export the cache\n");
    return kExitBadInput;
  }
  int status = 0;
  if (!args.sweep.empty()) status = run_command(args);
  if (status != 0 || args.export_kernel_tuner.empty() || args.dry_run) return status;
  return export_kernel_tuner(args.tuning_cache, args.export_kernel_tuner);
}

int compare_command(const CompareArgs& args) {
  Comparison comparison;
  try {
    comparison =
        compare_documents(read_result_document(args.baseline), read_result_document(args.current), args.thresholds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  }
  for (const auto& w : comparison.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("%s", args.markdown ? comparison_markdown(comparison, args.thresholds).c_str()
                                  : comparison_table(comparison).c_str());
  if (!args.junit.empty()) {
    std::ofstream out(args.junit);
    out << comparison_junit(comparison);
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", args.junit.c_str());
      return kExitBadInput;
    }
  }
  return args.fail_on_slower && comparison.any_slower() ? 1 : 0;
}

int export_command(const ExportArgs& args) {
  nlohmann::json document;
  try {
    document = read_result_document(args.results);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitBadInput;
  }
  std::ofstream out(args.output);
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", args.output.c_str());
    return kExitBadInput;
  }
  export_google_benchmark_json(document, out);
  if (!out.flush()) {
    std::fprintf(stderr, "error: writing %s failed\n", args.output.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"scbench: benchmark and verify convolution backends on sparse weights and activations"};
  app.set_version_flag("--version", std::string(SCBENCH_VERSION) + " (" + build_git_commit() +
                                        (build_git_dirty() ? ", dirty" : "") + ")");
  app.require_subcommand(1);
  app.footer("Exit codes: 0 all cases ok; 1 a case was incorrect or failed, or no GPU; 2 bad input.");

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "Validate a sweep, run every case on the GPU, verify and time it");
  run->add_option("sweep", run_args.sweep, "Sweep YAML file, e.g. configs/quick.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_flag("--dry-run", run_args.dry_run, "Validate and print the plan of cases, then stop (no GPU needed)");
  run->add_option("--plan-output", run_args.plan_output,
                  "With --dry-run: also write the planned cases as a document that scbench merge accepts "
                  "(to test a cluster's wiring without GPUs)");
  run->add_option("--filter", run_args.filter, "Only cases whose key matches this regular expression (see --dry-run)");
  run->add_option(
      "-o,--output", run_args.output,
      "Result JSON path (default: the sweep's 'output'); a name ending in .json.gz is written gzip-compressed");
  run->add_flag("--resume", run_args.resume,
                "Keep finished results of an earlier run to this output and skip those cases");
  run->add_flag("--retry-failed", run_args.retry_unsuccessful,
                "Resume (as --resume), but run the cases that were incorrect or failed again, e.g. after a fix; "
                "their new results replace the old");
  run->add_flag("--resume-any", run_args.resume_any,
                "Resume (as --resume) even from results written by another version of the sweep file or of scbench; "
                "without it such a resume is refused, since the results would not be comparable");
  run->add_flag("--verify-only", run_args.verify_only,
                "Verify every case against the FP64 reference and time none (status 'verified'): "
                "for compute-sanitizer runs and correctness checks");
  run->add_option("--counters", run_args.counters,
                  "Hardware counters pass: off, lean (one pass: DRAM and L2 bytes, FMA and tensor instructions, "
                  "occupancy, SM clock) or comma-separated CUPTI metric names (default: the sweep's, else lean)");
  run->add_option("--kernel-scope", run_args.kernel_scope,
                  "CUPTI kernel-scope pass (each kernel's name, launch shape and duration): on or off "
                  "(default: the sweep's, else on)")
      ->check(CLI::IsMember({"on", "off"}));
  run->add_option("--layers-dir", run_args.layers_dir,
                  "Directory of network YAML files (default: the repository's layers/)");
  run->add_option("--shard", run_args.shard,
                  "Run only part I/N of the plan (0 <= I < N), balanced by estimated cost; the output gets "
                  ".shard-(I+1)-of-N in its name unless -o is given; scbench merge joins the parts");
  run->add_option("--gpus", run_args.gpus,
                  "Run on several GPUs of this host: all, or indices such as 0,2,3; one worker process per GPU, "
                  "one progress line, one document; a worker that crashes or hangs is charged with its case and "
                  "restarted");
  run->add_option("--case-timeout-s", run_args.case_timeout_s, "With --gpus: a case running longer counts as a hang")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  run->add_option("--tuning-cache", run_args.tuning_cache,
                  "Tuning cache file for backends with tune: or params: auto (default: $SCBENCH_TUNING_CACHE, else "
                  "~/.cache/scbench/tuning.jsonl)");
  run->add_option("--on-cache-miss", run_args.on_cache_miss,
                  "params: auto without a cached choice: tune, or run the backend's defaults with a warning")
      ->capture_default_str()
      ->check(CLI::IsMember({"tune", "defaults"}));
  run->footer(
      "Each finished case is appended to <output>.partial.jsonl at once; the result file is written at the end.");

  RunArgs tune_args;
  tune_args.tune_only = true;
  CLI::App* tune = app.add_subcommand(
      "tune",
      "Tune the backends a sweep tunes (tune: or params: auto) and cache the choices, without the final timing");
  tune->add_option("sweep", tune_args.sweep, "Sweep YAML file with tuned backends")->check(CLI::ExistingFile);
  tune->add_option("--filter", tune_args.filter, "Only cases whose key matches this regular expression");
  tune->add_option("-o,--output", tune_args.output,
                   "Result document of the tuning: every evaluation, the re-timed top 3, the choice "
                   "(default: the sweep's output with .tuning.json.gz)");
  tune->add_option("--tuning-cache", tune_args.tuning_cache, "Tuning cache file (default as for run)");
  tune->add_option("--export-kernel-tuner", tune_args.export_kernel_tuner,
                   "Then write the cache in Kernel Tuner's cache format (schema 1.1.0), one file per tuned case, "
                   "into this directory; without a sweep, only export");
  tune->add_option("--layers-dir", tune_args.layers_dir, "Directory of network YAML files");
  tune->add_option("--shard", tune_args.shard, "Tune only part I/N of the tuned cases (as run --shard)");
  ReplayArgs replay_args;
  tune->add_option("--replay", replay_args.results,
                   "Instead of tuning: replay every strategy on the exhaustive searches recorded in these result "
                   "documents and print each one's gap to the optimum (no GPU needed)");
  tune->add_option("--budget-fraction", replay_args.budget_fraction,
                   "With --replay: evaluations per search, as a "
                   "fraction of its configs")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  tune->add_option("--seeds", replay_args.seeds, "With --replay: seeds per strategy")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  tune->add_option("--replay-output", replay_args.output,
                   "With --replay: the best-so-far curves as a result document, for report.py tuning");
  tune->add_flag("--dry-run", tune_args.dry_run, "Validate and print the tuned cases, then stop");

  RunArgs worker_args;
  worker_args.worker = true;
  CLI::App* worker =
      app.add_subcommand("worker", "(internal) one GPU's worker of run --gpus: case keys in, results out");
  worker->group("");  // not listed in --help
  worker->add_option("sweep", worker_args.sweep)->required()->check(CLI::ExistingFile);
  worker->add_option("--layers-dir", worker_args.layers_dir);
  worker->add_option("--counters", worker_args.counters);
  worker->add_option("--kernel-scope", worker_args.kernel_scope);
  worker->add_option("--tuning-cache", worker_args.tuning_cache);
  worker->add_option("--on-cache-miss", worker_args.on_cache_miss);
  worker->add_flag("--verify-only", worker_args.verify_only);
  worker->add_flag("--tune-only", worker_args.tune_only);

  MergeArgs merge_args;
  CLI::App* merge = app.add_subcommand("merge", "Join the result documents of a sweep's shards into one");
  merge->add_option("inputs", merge_args.inputs, "Result documents (.json or .json.gz), one per shard")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_option("-o,--output", merge_args.output, "The merged document (.json.gz: gzip'd)")->required();
  merge->add_flag("--allow-mixed-gpus", merge_args.allow_mixed_gpus,
                  "Merge documents measured on different GPU models (each result names its GPU)");
  merge->footer(
      "Refuses documents of different sweeps (content hash) or scbench versions. Lists duplicate cases, and, when "
      "the sweep file is unchanged, the missing ones (exit 1).");

  CompareArgs compare_args;
  CLI::App* compare = app.add_subcommand("compare", "Compare two result files case by case (regression tracking)");
  compare->add_option("baseline", compare_args.baseline, "Baseline result JSON (.json or .json.gz)")
      ->required()
      ->check(CLI::ExistingFile);
  compare->add_option("current", compare_args.current, "Current result JSON (.json or .json.gz)")
      ->required()
      ->check(CLI::ExistingFile);
  compare->add_flag("--markdown", compare_args.markdown, "Print a markdown report (for a pull-request comment)");
  compare->add_option("--junit", compare_args.junit, "Also write JUnit XML: each slower case is a failed test");
  compare->add_flag("--fail-on-slower", compare_args.fail_on_slower, "Exit 1 when any case is slower");
  compare->add_option("--min-change", compare_args.thresholds.min_change, "Relative change that counts")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  compare->add_option("--alpha", compare_args.thresholds.alpha, "Significance level of the Mann-Whitney U test")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  compare->footer(
      "Verdicts: slower/faster when p < alpha and the 95% bootstrap CI of the ratio of medians lies beyond 1 "
      "and reaches the min change; same when the CI lies within +-min change; noisy otherwise.");

  CrossoverArgs cross_args;
  CLI::App* cross = app.add_subcommand(
      "crossover", "Bisect weight (or activation) sparsity for where a sparse backend beats a dense one");
  cross->add_option("--layer", cross_args.layer, "network/layer, e.g. vgg19/conv4_2")->required();
  cross->add_option("--batch", cross_args.batch, "Batch size")->capture_default_str();
  cross->add_option("--sparse", cross_args.sparse_backend, "Sparse backend, e.g. im2col_cusparse")->required();
  cross->add_option("--sparse-params", cross_args.sparse_params, "Its params as name=value,name=value");
  cross->add_option("--sparse-precision", cross_args.sparse_precision, "Its precision")->capture_default_str();
  cross->add_option("--dense", cross_args.dense_backend, "Dense baseline backend")->capture_default_str();
  cross->add_option("--dense-params", cross_args.dense_params, "Its params as name=value,name=value");
  cross->add_option("--dense-precision", cross_args.dense_precision, "Its precision")->capture_default_str();
  cross->add_option("--mask", cross_args.mask, "uniform or channel_imbalanced")->capture_default_str();
  cross->add_option("--axis", cross_args.axis, "The sparsity searched: weight or activation")->capture_default_str();
  cross->add_option("--weight-sparsity", cross_args.weight_sparsity, "Held fixed with --axis activation")
      ->capture_default_str();
  cross->add_option("--activation-sparsity", cross_args.activation_sparsity, "Held fixed with --axis weight")
      ->capture_default_str();
  cross->add_option("--activation-pattern", cross_args.activation_pattern, "uniform, clustered or channel")
      ->capture_default_str();
  cross->add_option("--resolution", cross_args.resolution, "Stop when the bracket is narrower than this")
      ->capture_default_str();
  cross->add_option("--max-sparsity", cross_args.max_sparsity, "Upper end of the search")->capture_default_str();
  cross->add_option("--max-time-s", cross_args.max_time_s, "Sampling budget per case")->capture_default_str();
  cross->add_option("--seed", cross_args.seed, "Seed of inputs, weights and masks")->capture_default_str();
  cross->add_option("-o,--output", cross_args.output, "Result JSON (default results/local/crossover.json)");
  cross->add_option("--layers-dir", cross_args.layers_dir, "Directory of network YAML files");

  ExportArgs export_args;
  CLI::App* exporter =
      app.add_subcommand("export", "Write a result file in Google Benchmark's JSON format (for its tools/compare.py)");
  exporter->add_option("results", export_args.results, "scbench result JSON")->required()->check(CLI::ExistingFile);
  exporter->add_option("-o,--output", export_args.output, "Output JSON path")->required();
  exporter->footer(
      "Each timed case is one benchmark named by its key, with one repetition per raw sample and a "
      "median aggregate, in microseconds; e.g. compare.py benchmarks old.gbench.json new.gbench.json");

  PlanLayoutsArgs layouts_args;
  CLI::App* layouts = app.add_subcommand(
      "plan-layouts", "Choose each layer's layout for one network from measured layers and transforms (Li et al.)");
  layouts
      ->add_option("results", layouts_args.results,
                   "scbench result files with the network's layers in each "
                   "layout and their input transforms (ops: [transform])")
      ->required()
      ->check(CLI::ExistingFile);
  layouts->add_option("--network", layouts_args.network, "The network, as in layers/ (e.g. alexnet)")->required();
  layouts->add_option("--batch", layouts_args.batch, "Batch size of the cases used")->capture_default_str();
  layouts->add_option("--precision", layouts_args.precision, "Precision of the cases used")->capture_default_str();
  layouts->add_option("-o,--output", layouts_args.output, "Also write the choice as JSON");
  layouts->add_option("--layers-dir", layouts_args.layers_dir, "Directory of network YAML files");
  layouts->footer(
      "Dynamic programming over the network's layers in order: each layer's fastest verified median in each layout, "
      "plus the measured transform of its input wherever the layout changes. Reported against every layer in one "
      "layout and against cuDNN alone. A sum of measured layer times, not a run of the network.");

  ListArgs list_args;
  CLI::App* list = app.add_subcommand("list", "List layers, networks or backends");
  list->add_option("what", list_args.what, "layers | networks | backends")
      ->required()
      ->check(CLI::IsMember({"layers", "networks", "backends"}));
  list->add_option("--network", list_args.network, "With 'layers': only this network");
  list->add_option("--layers-dir", list_args.layers_dir, "Directory of network YAML files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (*run) return run_command(run_args);
  if (*tune) return replay_args.results.empty() ? tune_command(tune_args) : tune_replay_command(replay_args);
  if (*compare) return compare_command(compare_args);
  if (*merge) return merge_command(merge_args);
  if (*worker) return run_command(worker_args);
  if (*cross) return crossover_command(cross_args);
  if (*exporter) return export_command(export_args);
  if (*layouts) return plan_layouts_command(layouts_args);
  return list_command(list_args);
}

}  // namespace scb
