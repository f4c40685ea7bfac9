#pragma once
// A sweep file (configs/*.yaml): which layers, which axes, which backends, how to measure.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/spec/layer.hpp"
#include "harness/spec/spec_error.hpp"
#include "harness/measure/settings.hpp"
#include "harness/spec/types.hpp"

namespace scb {

struct MaskSpec {
  MaskKind kind = MaskKind::uniform;
  int block_size = 0;         // block: b x b blocks of the K x (C/g*R*S) weight matrix
  int n = 0, m = 0;           // nm: n nonzeros in every m consecutive weights along C/g*R*S
  std::string path_template;  // file, weights: .npy path; {network} and {layer} are replaced
  SourceMark mark;
  // Short, unique name used in case keys: uniform, block16, nm2:4, file.
  std::string label() const;
  std::filesystem::path path_for(const Layer& layer) const;
};

// Where a case's input comes from: generated (the activation_sparsity axis), or an .npy feature map
// (N x C x H x W; N is the batch) given by the sweep's `activation: {kind: file, path: ...}`.
struct ActivationSource {
  std::string path_template;  // empty: generated; {network} and {layer} are replaced
  SourceMark mark;
  bool from_file() const { return !path_template.empty(); }
  std::filesystem::path path_for(const Layer& layer) const;
};

// A sparsity axis value: a number, or the layer's published default.
struct SparsityValue {
  bool layer_default = false;
  double value = 0.0;
  double resolve(double default_value) const { return layer_default ? default_value : value; }
};

using Params = std::map<std::string, std::string>;

struct ParamSet {
  Params values;
  SourceMark mark;
};

// A backend whose params are chosen by the tuner instead of listed: `tune: {strategy, budget}` tunes every
// case; `params: auto` takes the cached choice and tunes only on a miss.
struct TuneSpec {
  std::string strategy = "bayes";  // checked against the tuner's strategies when the plan is built
  int evaluations = 0;             // budget: whichever runs out first; 0 = no limit of that kind
  double seconds = 0;
  bool cached = false;  // params: auto
  SourceMark mark;
  // space: {param: [values]}: tune only these params over these values; the others keep their defaults.
  // Empty: every param over all its legal values.
  std::map<std::string, std::vector<std::string>> space;
  SourceMark space_mark;
  // "pixels=1|2|4;warps=2|4": the space in case keys and tuning-cache keys; empty for the full space.
  std::string space_text() const;
};

struct BackendSpec {
  std::string name;
  std::vector<ParamSet> param_sets;  // at least one (possibly empty: the backend's defaults); one when tuned
  std::optional<TuneSpec> tune;
  SourceMark mark;
};

// A case matching every field of a rule is dropped from the plan.
struct ExcludeRule {
  std::map<std::string, std::string> fields;  // backend, precision, layout, mask, network, layer, batch
  SourceMark mark;
};

// A speedup a paper reported, to be shown beside ours: either for one layer (and batch) or as the
// paper's average over the sweep's layers.
struct PublishedSpeedup {
  std::string sparse;    // result label, "backend{params} precision", e.g. "escort fp32"
  std::string baseline;  // e.g. "im2col_cublas fp32"
  std::string layer;     // network/layer; empty for an average
  int batch = 0;         // 0: any
  double speedup = 0;
  std::string note;
  SourceMark mark;
};

struct Published {
  std::string source;  // the paper
  std::vector<PublishedSpeedup> speedups;
};

struct Sweep {
  std::string file;
  std::string name;
  std::string description;
  std::string content_hash;  // FNV-1a of the file's bytes, hex
  std::filesystem::path layers_dir;
  std::uint64_t seed = 1;
  std::string output;  // result path, relative to the current directory
  std::vector<Layer> layers;
  std::vector<int> batches;
  std::vector<SparsityValue> weight_sparsities;
  std::vector<SparsityValue> activation_sparsities;
  ActivationPattern activation_pattern = ActivationPattern::uniform;
  ActivationSource activation;
  std::vector<MaskSpec> masks;
  std::vector<Precision> precisions;
  std::vector<Layout> layouts;
  std::vector<Fuse> fuses;  // pool: conv + ReLU + the layer's max-pool as one op (layers with a pool: only)
  std::vector<BackendSpec> backends;
  std::vector<ExcludeRule> excludes;
  MeasureSettings measure;
  Published published;
};

// Reads and validates everything that needs no backend knowledge. Throws SpecError.
Sweep load_sweep(const std::filesystem::path& file, const std::optional<std::filesystem::path>& layers_dir = {});
Sweep parse_sweep(const std::string& text, const std::string& file_name,
                  const std::optional<std::filesystem::path>& layers_dir = {});

std::string fnv1a_hex(const std::string& bytes);

}  // namespace scb
