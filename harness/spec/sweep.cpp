#include "harness/spec/sweep.hpp"

#include <algorithm>
#include <set>
#include <fstream>
#include <sstream>

#include "harness/spec/network.hpp"
#include "harness/spec/yaml_reader.hpp"

namespace scb {

namespace {

const std::vector<std::string> kSweepKeys{"name",
                                          "description",
                                          "layers_dir",
                                          "seed",
                                          "output",
                                          "layers",
                                          "batch",
                                          "weight_sparsity",
                                          "activation_sparsity",
                                          "activation_pattern",
                                          "activation",
                                          "weights",
                                          "mask",
                                          "precision",
                                          "layout",
                                          "fuse",
                                          "backends",
                                          "exclude",
                                          "measure",
                                          "published"};
const std::vector<std::string> kSelectionKeys{"network", "names", "tags", "options", "ops"};
const std::vector<std::string> kMaskKeys{"kind", "size", "n", "m", "path"};
const std::vector<std::string> kBackendKeys{"name", "params", "tune"};
const std::vector<std::string> kTuneKeys{"strategy", "budget", "space"};
const std::vector<std::string> kBudgetKeys{"evaluations", "seconds"};
const std::vector<std::string> kExcludeKeys{"backend", "precision", "layout", "mask",
                                            "network", "layer",     "batch",  "fuse"};
const std::vector<std::string> kPublishedKeys{"source", "speedups"};
const std::vector<std::string> kSpeedupKeys{"sparse", "baseline", "layer", "batch", "speedup", "note"};
const std::vector<std::string> kMeasureKeys{"scope",        "l2",          "launch",    "warmup_runs",
                                            "min_samples",  "max_samples", "max_noise", "max_time_s",
                                            "kernel_scope", "kernel_runs", "energy_s",  "counters"};

const char kWeightsFix[] =
    "give the sweep 'weights: {kind: file, path: \"weights/{network}_{layer}.npy\"}' instead of a mask: the "
    "weights' zeros are the mask";

std::string option_suffix(const OptionValues& chosen) {
  if (chosen.empty()) return "";
  std::string text = "[";
  bool first = true;
  for (const auto& [name, value] : chosen) {
    text += (first ? "" : ",") + name + "=" + value;
    first = false;
  }
  return text + "]";
}

class SweepParser {
 public:
  SweepParser(const YamlReader& reader, std::filesystem::path layers_dir)
      : reader_(reader), layers_dir_(std::move(layers_dir)) {}

  void read_layers(const YAML::Node& node, Sweep& sweep) const {
    for (const auto& selection : reader_.read_list(node, "layers")) {
      if (selection.IsScalar()) {  // "alexnet" selects the whole network's convolutions
        append_selection(selection, selection.Scalar(), {}, {}, {}, {LayerOp::conv}, sweep);
        continue;
      }
      reader_.check_keys(selection, kSelectionKeys, "a layer selection");
      reader_.require_key(selection, "network", "a layer selection", "network: vgg19");
      const std::string network = reader_.read_string(selection["network"], "network");
      std::vector<YAML::Node> names, tags;
      if (selection["names"]) names = reader_.read_list(selection["names"], "names");
      if (selection["tags"]) tags = reader_.read_list(selection["tags"], "tags");
      OptionValues options;
      if (const YAML::Node opts = selection["options"]) {
        reader_.expect_map(opts, "options");
        for (const auto& entry : opts)
          options[reader_.read_key(entry.first)] = reader_.read_string(entry.second, "option value");
      }
      std::set<LayerOp> ops{LayerOp::conv};  // pooling and softmax layers only where asked for
      if (const YAML::Node list = selection["ops"]) {
        ops.clear();
        for (const auto& item : reader_.read_list(list, "ops")) {
          const std::string text = reader_.read_string(item, "op");
          const auto op = parse_op(text);
          if (!op) reader_.fail(item, "unknown op '" + text + "'", "use one of: " + join(op_names(), ", "));
          ops.insert(*op);
        }
      }
      append_selection(selection, network, names, tags, options, ops, sweep);
    }
  }

  std::vector<SparsityValue> read_sparsities(const YAML::Node& node, const std::string& what) const {
    std::vector<SparsityValue> values;
    for (const auto& item : reader_.read_list(node, what)) {
      if (item.IsScalar() && item.Scalar() == "default") {
        values.push_back({true, 0.0});
        continue;
      }
      const double value = reader_.read_double(item, what);
      if (value < 0.0 || value >= 1.0)
        reader_.fail(
            item, what + " " + item.Scalar() + " is outside [0, 1)",
            "give the fraction of zeros, e.g. 0.9 for 90% sparse, or 'default' for the layer's published value");
      values.push_back({false, value});
    }
    return values;
  }

  // `key: random` (generated, the default) or `key: {kind: file, path: ...}`; the path (relative to the sweep
  // file), or empty for generated data.
  std::string read_file_source(const YAML::Node& node, const std::string& key, const std::string& example) const {
    const std::string fix = "write " + key + ": {kind: file, path: \"" + example + "\"} (quoted: braces are YAML " +
                            "syntax), or " + key + ": random";
    if (node.IsScalar()) {
      if (node.Scalar() != "random") reader_.fail(node, "unknown " + key + " source '" + node.Scalar() + "'", fix);
      return "";
    }
    reader_.check_keys(node, {"kind", "path"}, key);
    reader_.require_key(node, "kind", key, "kind: file");
    const std::string kind = reader_.read_string(node["kind"], key + " kind");
    if (kind == "random") {
      if (node["path"]) reader_.fail(node["path"], "a path does not apply to random " + key, "remove it");
      return "";
    }
    if (kind != "file") reader_.fail(node["kind"], "unknown " + key + " kind '" + kind + "'", fix);
    reader_.require_key(node, "path", key + " from a file", "path: \"" + example + "\"");
    std::string path = reader_.read_string(node["path"], key + " path");
    if (std::filesystem::path(path).is_relative())
      path = (std::filesystem::path(reader_.file()).parent_path() / path).string();
    return path;
  }

  MaskSpec read_mask(const YAML::Node& node) const {
    MaskSpec mask;
    mask.mark = reader_.mark(node);
    std::vector<std::string> kind_names = mask_kind_names();
    std::erase(kind_names, "weights");  // real weights come through the sweep's 'weights:' key
    const std::string kinds = join(kind_names, ", ");
    if (node.IsScalar()) {
      const auto kind = parse_mask_kind(node.Scalar());
      if (!kind) reader_.fail(node, "unknown mask kind '" + node.Scalar() + "'", "use one of: " + kinds);
      mask.kind = *kind;
      if (mask.kind == MaskKind::block)
        reader_.fail(node, "mask kind 'block' needs a block size", "write {kind: block, size: 16}");
      if (mask.kind == MaskKind::nm) reader_.fail(node, "mask kind 'nm' needs n and m", "write {kind: nm, n: 2, m: 4}");
      if (mask.kind == MaskKind::weights) reader_.fail(node, "real weights are not a mask kind", kWeightsFix);
      if (mask.kind == MaskKind::file)
        reader_.fail(node, "mask kind 'file' needs a path",
                     "write {kind: file, path: \"masks/{network}_{layer}.npy\"} (quoted: braces are YAML syntax)");
      return mask;
    }
    reader_.check_keys(node, kMaskKeys, "a mask");
    reader_.require_key(node, "kind", "a mask", "kind: uniform");
    const auto kind = parse_mask_kind(reader_.read_string(node["kind"], "mask kind"));
    if (!kind) reader_.fail(node["kind"], "unknown mask kind '" + node["kind"].Scalar() + "'", "use one of: " + kinds);
    mask.kind = *kind;
    if (mask.kind == MaskKind::weights) reader_.fail(node["kind"], "real weights are not a mask kind", kWeightsFix);
    const auto forbid_others = [&](const std::vector<std::string>& keys) {
      for (const auto& entry : node) {
        const std::string key = reader_.read_key(entry.first);
        if (key != "kind" && std::find(keys.begin(), keys.end(), key) == keys.end())
          reader_.fail(entry.first, "key '" + key + "' does not apply to mask kind '" + to_string(mask.kind) + "'",
                       "remove it");
      }
    };
    switch (mask.kind) {
      case MaskKind::block:
        forbid_others({"size"});
        reader_.require_key(node, "size", "a block mask", "size: 16");
        mask.block_size = reader_.read_int_in(node["size"], "block size", 1, 256);
        if (mask.block_size < 1 || mask.block_size > 256)
          reader_.fail(node["size"], "block size must be between 1 and 256", "use 8, 16, 32 or 64");
        break;
      case MaskKind::nm:
        forbid_others({"n", "m"});
        reader_.require_key(node, "n", "an N:M mask", "n: 2");
        reader_.require_key(node, "m", "an N:M mask", "m: 4");
        mask.n = reader_.read_int_in(node["n"], "n", 0, 64);
        mask.m = reader_.read_int_in(node["m"], "m", 1, 64);
        if (mask.m < 1 || mask.m > 64 || mask.n < 0 || mask.n > mask.m)
          reader_.fail(node, "an N:M mask needs 0 <= n <= m <= 64", "use e.g. n: 2, m: 4");
        break;
      case MaskKind::file:
        forbid_others({"path"});
        reader_.require_key(node, "path", "a file mask", "path: \"masks/{network}_{layer}.npy\"");
        mask.path_template = reader_.read_string(node["path"], "mask path");
        if (std::filesystem::path(mask.path_template).is_relative())
          mask.path_template = (std::filesystem::path(reader_.file()).parent_path() / mask.path_template).string();
        break;
      default:
        forbid_others({});
    }
    return mask;
  }

  BackendSpec read_backend(const YAML::Node& node) const {
    BackendSpec spec;
    spec.mark = reader_.mark(node);
    if (node.IsScalar()) {
      spec.name = node.Scalar();
      spec.param_sets.push_back({{}, spec.mark});
      return spec;
    }
    reader_.check_keys(node, kBackendKeys, "a backend");
    reader_.require_key(node, "name", "a backend", "name: cudnn");
    spec.name = reader_.read_string(node["name"], "backend name");
    if (node["tune"]) spec.tune = read_tune(node["tune"]);
    const bool auto_params = node["params"] && node["params"].IsScalar() && node["params"].Scalar() == "auto";
    if (auto_params) {
      if (!spec.tune) {
        spec.tune = TuneSpec{};
        spec.tune->evaluations = 30;
        spec.tune->mark = reader_.mark(node["params"]);
      }
      spec.tune->cached = true;
    }
    if (spec.tune && node["params"] && !auto_params)
      reader_.fail(node["params"], "backend '" + spec.name + "' lists params and is tuned",
                   "keep 'tune:' (the tuner chooses the params) or 'params:' (you list them), not both; "
                   "'params: auto' takes the cached choice");
    if (!node["params"] || auto_params) {
      spec.param_sets.push_back({{}, spec.mark});
      return spec;
    }
    for (const auto& set : reader_.read_list(node["params"], "params")) {
      reader_.expect_map(set, "a params entry");
      ParamSet params;
      params.mark = reader_.mark(set);
      for (const auto& entry : set)
        params.values[reader_.read_key(entry.first)] = reader_.read_string(entry.second, "param value");
      spec.param_sets.push_back(std::move(params));
    }
    return spec;
  }

  // tune: {strategy: anneal, budget: {evaluations: 40, seconds: 60}}
  TuneSpec read_tune(const YAML::Node& node) const {
    reader_.check_keys(node, kTuneKeys, "tune");
    TuneSpec tune;
    tune.mark = reader_.mark(node);
    if (node["strategy"]) tune.strategy = reader_.read_string(node["strategy"], "strategy");
    if (node["budget"]) {
      reader_.check_keys(node["budget"], kBudgetKeys, "a tuning budget");
      if (node["budget"]["evaluations"])
        tune.evaluations = reader_.read_int_in(node["budget"]["evaluations"], "evaluations", 1, 100000);
      if (node["budget"]["seconds"]) {
        tune.seconds = reader_.read_double(node["budget"]["seconds"], "seconds");
        if (tune.seconds <= 0) reader_.fail(node["budget"]["seconds"], "seconds must be positive", "use e.g. 60");
      }
    }
    if (node["space"]) {
      const YAML::Node space = node["space"];
      tune.space_mark = reader_.mark(space);
      if (!space.IsMap() || space.size() == 0)
        reader_.fail(space, "a tuning space maps params to lists of values", "write space: {pixels: [1, 2, 4]}");
      for (const auto& entry : space) {
        auto& values = tune.space[reader_.read_key(entry.first)];
        for (const auto& value : reader_.read_list(entry.second, "space values"))
          values.push_back(reader_.read_string(value, "space value"));
        if (values.empty()) reader_.fail(entry.second, "a param of the space needs at least one value", "list them");
      }
    }
    if (tune.strategy != "exhaustive" && tune.evaluations == 0 && tune.seconds == 0)
      reader_.fail(node, "strategy " + tune.strategy + " needs a budget",
                   "add budget: {evaluations: 40} or budget: {seconds: 60} (whichever runs out first)");
    return tune;
  }

  // A label is "backend{params}+pool precision" (+pool: a fuse: pool case); its backend must be one the sweep
  // runs.
  void check_label(const YAML::Node& node, const std::string& label, const Sweep& sweep) const {
    const auto space = label.rfind(' ');
    if (space == std::string::npos || !parse_precision(label.substr(space + 1)))
      reader_.fail(node, "'" + label + "' is not a result label",
                   "write 'backend precision' or 'backend{name=value} precision', e.g. 'cudnn fp32' "
                   "(with +pool for fused conv + pool: 'cudnn+pool fp16')");
    const std::string backend = label.substr(0, std::min({label.find('{'), label.find('+'), space}));
    for (const auto& b : sweep.backends)
      if (b.name == backend) return;
    reader_.fail(node, "published speedup names backend '" + backend + "', which this sweep does not run",
                 "add it to 'backends' or correct the label");
  }

  Published read_published(const YAML::Node& node, const Sweep& sweep) const {
    Published published;
    if (!node) return published;
    reader_.check_keys(node, kPublishedKeys, "published");
    reader_.require_key(node, "source", "published", "source: \"Chen 2018, arXiv 1802.10280\"");
    reader_.require_key(node, "speedups", "published",
                        "speedups: [{sparse: escort fp32, baseline: im2col_cublas fp32, speedup: 2.63}]");
    published.source = reader_.read_string(node["source"], "source");
    for (const auto& item : reader_.read_list(node["speedups"], "speedups")) {
      reader_.check_keys(item, kSpeedupKeys, "a published speedup");
      for (const char* key : {"sparse", "baseline", "speedup"})
        reader_.require_key(item, key, "a published speedup", std::string(key) + ": ...");
      PublishedSpeedup entry;
      entry.mark = reader_.mark(item);
      entry.sparse = reader_.read_string(item["sparse"], "sparse");
      entry.baseline = reader_.read_string(item["baseline"], "baseline");
      check_label(item["sparse"], entry.sparse, sweep);
      check_label(item["baseline"], entry.baseline, sweep);
      entry.speedup = reader_.read_double(item["speedup"], "speedup");
      if (entry.speedup <= 0)
        reader_.fail(item["speedup"], "speedup must be positive", "give the paper's ratio, e.g. 2.63");
      if (item["layer"]) {
        entry.layer = reader_.read_string(item["layer"], "layer");
        const bool known = std::any_of(sweep.layers.begin(), sweep.layers.end(),
                                       [&](const Layer& l) { return l.id() == entry.layer; });
        if (!known)
          reader_.fail(item["layer"],
                       "published speedup names layer '" + entry.layer + "', which this sweep does not select",
                       "use network/layer of a selected layer, or drop 'layer' for an average");
      }
      if (item["batch"]) entry.batch = reader_.read_int_in(item["batch"], "batch", 1, 4096);
      if (item["note"]) entry.note = reader_.read_string(item["note"], "note");
      published.speedups.push_back(std::move(entry));
    }
    return published;
  }

  MeasureSettings read_measure(const YAML::Node& node) const {
    MeasureSettings m;
    if (!node) return m;
    reader_.check_keys(node, kMeasureKeys, "measure");
    if (node["scope"]) {
      const auto scope = parse_timing_scope(reader_.read_string(node["scope"], "scope"));
      if (!scope)
        reader_.fail(node["scope"], "unknown timing scope '" + node["scope"].Scalar() + "'",
                     "use gpu, host or end_to_end; the kernel scope is its own pass: kernel_scope: true (the "
                     "default)");
      m.scope = *scope;
    }
    if (node["l2"]) {
      const std::string l2 = reader_.read_string(node["l2"], "l2");
      if (l2 != "cold" && l2 != "hot")
        reader_.fail(node["l2"], "l2 must be cold or hot", "use cold (flush L2 before each sample) or hot");
      m.cold_l2 = l2 == "cold";
    }
    if (node["launch"]) {
      const std::string launch = reader_.read_string(node["launch"], "launch");
      if (launch != "graph" && launch != "stream")
        reader_.fail(node["launch"], "launch must be graph or stream", "use graph (replay a CUDA graph) or stream");
      m.launch = launch == "graph" ? LaunchMode::graph : LaunchMode::stream;
    }
    if (node["warmup_runs"]) m.warmup_runs = reader_.read_int_in(node["warmup_runs"], "warmup_runs", 0, 1000000);
    if (node["min_samples"]) m.min_samples = reader_.read_int_in(node["min_samples"], "min_samples", 0, 1000000);
    if (node["max_samples"]) m.max_samples = reader_.read_int_in(node["max_samples"], "max_samples", 0, 1000000);
    if (node["max_noise"]) m.max_noise = reader_.read_double(node["max_noise"], "max_noise");
    if (node["max_time_s"]) m.max_time_s = reader_.read_double(node["max_time_s"], "max_time_s");
    if (node["energy_s"]) {
      m.energy_s = reader_.read_double(node["energy_s"], "energy_s");
      if (m.energy_s != 0 && (m.energy_s < 1.0 || m.energy_s > 60.0))
        reader_.fail(node["energy_s"], "energy_s must be 0 (off) or between 1 and 60 seconds",
                     "use 1.0: the energy counter needs a pass of at least a second");
    }
    if (const YAML::Node counters = node["counters"]) {
      if (counters.IsSequence()) {
        std::vector<std::string> names;
        for (const auto& item : reader_.read_list(counters, "counters"))
          names.push_back(reader_.read_string(item, "counter metric"));
        m.counters = join(names, ",");
        if (names.empty())
          reader_.fail(counters, "the counters list is empty", "use off, lean or a list of metric names");
      } else {
        m.counters = reader_.read_string(counters, "counters");
        if (m.counters.empty()) reader_.fail(counters, "counters is empty", "use off, lean or a list of metric names");
      }
    }
    if (node["kernel_scope"]) m.kernel_scope = reader_.read_bool(node["kernel_scope"], "kernel_scope");
    if (node["kernel_runs"]) {
      const long long runs = reader_.read_int(node["kernel_runs"], "kernel_runs");
      if (runs < 10 || runs > 1000)
        reader_.fail(node["kernel_runs"], "kernel_runs must be between 10 and 1000", "use e.g. 20");
      m.kernel_runs = int(runs);
    }
    if (m.warmup_runs < 1) reader_.fail(node["warmup_runs"], "warmup_runs must be at least 1", "use e.g. 3");
    if (m.min_samples < 10)
      reader_.fail(node["min_samples"], "min_samples must be at least 10",
                   "statistics on fewer samples are not reported; use 10 or more");
    if (m.max_samples < m.min_samples)
      reader_.fail(node["max_samples"] ? node["max_samples"] : node, "max_samples is below min_samples",
                   "raise max_samples");
    if (m.max_noise <= 0 || m.max_noise >= 1)
      reader_.fail(node["max_noise"], "max_noise must be in (0, 1)", "use e.g. 0.005 for 0.5%");
    if (m.max_time_s <= 0) reader_.fail(node["max_time_s"], "max_time_s must be positive", "use e.g. 1.0");
    return m;
  }

 private:
  void append_selection(const YAML::Node& at, const std::string& network, const std::vector<YAML::Node>& names,
                        const std::vector<YAML::Node>& tags, const OptionValues& options, const std::set<LayerOp>& ops,
                        Sweep& sweep) const {
    const auto file = layers_dir_ / (network + ".yaml");
    if (!std::filesystem::exists(file)) {
      const auto available = available_networks(layers_dir_);
      const std::string suggestion = closest_match(network, available);
      reader_.fail(
          at, "unknown network '" + network + "' (no " + file.string() + ")",
          (suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ") + "available: " + join(available, ", "));
    }
    Network loaded = load_network(file, options, reader_.mark(at));
    std::vector<std::string> valid_names;
    for (const auto& layer : loaded.layers) valid_names.push_back(layer.name);
    for (const auto& name : names) {
      const std::string text = reader_.read_string(name, "layer name");
      if (std::find(valid_names.begin(), valid_names.end(), text) == valid_names.end()) {
        const std::string suggestion = closest_match(text, valid_names);
        reader_.fail(
            name, "network '" + network + "' has no layer '" + text + "'",
            suggestion.empty() ? "run 'scbench list layers' to see them" : "did you mean '" + suggestion + "'?");
      }
      const auto named = std::find_if(loaded.layers.begin(), loaded.layers.end(),
                                      [&](const Layer& layer) { return layer.name == text; });
      if (!ops.count(named->op) && ops != std::set<LayerOp>{LayerOp::transform})
        reader_.fail(name,
                     "layer '" + text + "' of '" + network + "' is a " + to_string(named->op) +
                         " layer, which this selection's ops leave out",
                     "add ops: [" + to_string(named->op) + "] to the selection (the default is conv only)");
    }
    std::size_t matched = 0;
    for (auto& layer : loaded.layers) {
      const bool by_name =
          std::any_of(names.begin(), names.end(), [&](const auto& n) { return n.Scalar() == layer.name; });
      const bool by_tag =
          std::any_of(tags.begin(), tags.end(), [&](const auto& t) { return layer.has_tag(t.Scalar()); });
      if (!names.empty() || !tags.empty())
        if (!by_name && !by_tag) continue;
      // ops: [transform] alone: the input of every matched layer; beside other ops, the inputs of their layers.
      const bool only_transforms = ops == std::set<LayerOp>{LayerOp::transform};
      if (!ops.count(layer.op) && !only_transforms) continue;
      layer.network += option_suffix(options);
      const auto add = [&](const Layer& l) {
        const bool duplicate = std::any_of(sweep.layers.begin(), sweep.layers.end(),
                                           [&](const Layer& other) { return other.id() == l.id(); });
        if (!duplicate) sweep.layers.push_back(l);
      };
      if (ops.count(layer.op)) add(layer);
      if (ops.count(LayerOp::transform)) add(layer.input_transform());
      ++matched;
    }
    if (matched == 0)
      reader_.fail(at, "this selection matches no layer of '" + network + "'",
                   "check its names, tags and ops (the default is conv only)");
  }

  const YamlReader& reader_;
  std::filesystem::path layers_dir_;
};

template <class T, class Parse>
std::vector<T> read_enum_list(const YamlReader& reader, const YAML::Node& node, const std::string& what, Parse parse,
                              const std::vector<std::string>& allowed) {
  std::vector<T> values;
  for (const auto& item : reader.read_list(node, what)) {
    const auto value = parse(reader.read_string(item, what));
    if (!value) reader.fail(item, "unknown " + what + " '" + item.Scalar() + "'", "use one of: " + join(allowed, ", "));
    values.push_back(*value);
  }
  return values;
}

}  // namespace

std::string TuneSpec::space_text() const {
  std::string text;
  for (const auto& [name, values] : space) {
    text += (text.empty() ? "" : ";") + name + "=";
    for (std::size_t i = 0; i < values.size(); ++i) text += (i ? "|" : "") + values[i];
  }
  return text;
}

std::string MaskSpec::label() const {
  switch (kind) {
    case MaskKind::block:
      return "block" + std::to_string(block_size);
    case MaskKind::nm:
      return "nm" + std::to_string(n) + ":" + std::to_string(m);
    default:
      return to_string(kind);
  }
}

namespace {

std::filesystem::path expand_path(std::string path, const Layer& layer) {
  const auto replace = [&](const std::string& token, const std::string& value) {
    for (auto at = path.find(token); at != std::string::npos; at = path.find(token, at + value.size()))
      path.replace(at, token.size(), value);
  };
  std::string network = layer.network.substr(0, layer.network.find('['));
  replace("{network}", network);
  replace("{layer}", layer.name);
  return path;
}

}  // namespace

std::filesystem::path MaskSpec::path_for(const Layer& layer) const { return expand_path(path_template, layer); }

std::filesystem::path ActivationSource::path_for(const Layer& layer) const { return expand_path(path_template, layer); }

std::string fnv1a_hex(const std::string& bytes) {
  std::uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {

Sweep sweep_from_text(const std::string& text, const std::string& file_name,
                      const std::optional<std::filesystem::path>& layers_dir) {
  const YAML::Node root = YamlReader::load_string(text, file_name);
  const YamlReader reader(file_name);
  reader.check_keys(root, kSweepKeys, "a sweep");
  for (const char* key : {"layers", "batch", "precision", "backends"})
    reader.require_key(root, key, "a sweep", std::string(key) + ": ...");

  Sweep sweep;
  sweep.file = file_name;
  sweep.content_hash = fnv1a_hex(text);
  sweep.name =
      root["name"] ? reader.read_string(root["name"], "name") : std::filesystem::path(file_name).stem().string();
  if (root["description"]) sweep.description = reader.read_string(root["description"], "description");
  if (layers_dir) {
    sweep.layers_dir = *layers_dir;
  } else if (root["layers_dir"]) {
    sweep.layers_dir =
        std::filesystem::path(file_name).parent_path() / reader.read_string(root["layers_dir"], "layers_dir");
  } else {
    sweep.layers_dir = default_layers_dir();
  }
  if (root["seed"]) sweep.seed = static_cast<std::uint64_t>(reader.read_int(root["seed"], "seed"));
  sweep.output =
      root["output"] ? reader.read_string(root["output"], "output") : "results/local/" + sweep.name + ".json.gz";

  const SweepParser parser(reader, sweep.layers_dir);
  parser.read_layers(root["layers"], sweep);
  for (const auto& item : reader.read_list(root["batch"], "batch")) {
    sweep.batches.push_back(reader.read_int_in(item, "batch", 1, 4096));
  }
  sweep.weight_sparsities = root["weight_sparsity"] ? parser.read_sparsities(root["weight_sparsity"], "weight_sparsity")
                                                    : std::vector<SparsityValue>{{true, 0.0}};
  sweep.activation_sparsities = root["activation_sparsity"]
                                    ? parser.read_sparsities(root["activation_sparsity"], "activation_sparsity")
                                    : std::vector<SparsityValue>{{false, 0.0}};
  if (root["activation_pattern"]) {
    const auto pattern = parse_activation_pattern(reader.read_string(root["activation_pattern"], "activation_pattern"));
    if (!pattern)
      reader.fail(root["activation_pattern"], "unknown activation_pattern", "use uniform, clustered or channel");
    sweep.activation_pattern = *pattern;
  }
  if (root["mask"]) {
    for (const auto& item : reader.read_list(root["mask"], "mask")) sweep.masks.push_back(parser.read_mask(item));
  } else {
    sweep.masks.push_back(MaskSpec{});
  }
  if (root["weights"]) {
    const std::string path = parser.read_file_source(root["weights"], "weights", "weights/{network}_{layer}.npy");
    if (!path.empty()) {
      for (const char* key : {"mask", "weight_sparsity"})
        if (root[key])
          reader.fail(root[key], std::string("'") + key + "' does not apply to weights read from a file",
                      "remove it: the file's zeros are the mask, and its real sparsity labels the cases");
      MaskSpec mask;
      mask.kind = MaskKind::weights;
      mask.path_template = path;
      mask.mark = reader.mark(root["weights"]);
      sweep.masks = {mask};
    }
  }
  if (root["activation"]) {
    sweep.activation.path_template =
        parser.read_file_source(root["activation"], "activation", "features/{network}_{layer}.npy");
    sweep.activation.mark = reader.mark(root["activation"]);
    if (sweep.activation.from_file())
      for (const char* key : {"activation_sparsity", "activation_pattern"})
        if (root[key])
          reader.fail(root[key], std::string("'") + key + "' does not apply to feature maps read from a file",
                      "remove it: the file's real fraction of zeros labels the cases");
  }
  sweep.precisions =
      read_enum_list<Precision>(reader, root["precision"], "precision", parse_precision, precision_names());
  sweep.layouts = root["layout"]
                      ? read_enum_list<Layout>(reader, root["layout"], "layout", parse_layout, layout_names())
                      : std::vector<Layout>{Layout::nchw};
  sweep.fuses = root["fuse"] ? read_enum_list<Fuse>(reader, root["fuse"], "fuse", parse_fuse, fuse_names())
                             : std::vector<Fuse>{Fuse::none};
  for (const auto& item : reader.read_list(root["backends"], "backends"))
    sweep.backends.push_back(parser.read_backend(item));
  if (root["exclude"]) {
    for (const auto& item : reader.read_list(root["exclude"], "exclude")) {
      reader.check_keys(item, kExcludeKeys, "an exclude rule");
      ExcludeRule rule;
      rule.mark = reader.mark(item);
      for (const auto& entry : item)
        rule.fields[reader.read_key(entry.first)] = reader.read_string(entry.second, "exclude value");
      sweep.excludes.push_back(std::move(rule));
    }
  }
  sweep.measure = parser.read_measure(root["measure"]);
  sweep.published = parser.read_published(root["published"], sweep);
  return sweep;
}

}  // namespace

Sweep parse_sweep(const std::string& text, const std::string& file_name,
                  const std::optional<std::filesystem::path>& layers_dir) {
  return YamlReader::translate_errors(file_name, [&] { return sweep_from_text(text, file_name, layers_dir); });
}

Sweep load_sweep(const std::filesystem::path& file, const std::optional<std::filesystem::path>& layers_dir) {
  std::ifstream in(file);
  if (!in) throw SpecError({file.string(), 0, 0}, "cannot open sweep file", "check the path");
  std::stringstream text;
  text << in.rdbuf();
  return parse_sweep(text.str(), file.string(), layers_dir);
}

}  // namespace scb
