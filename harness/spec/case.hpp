#pragma once
// One point of a sweep and the expansion of a sweep's axes into cases.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/spec/sweep.hpp"

namespace scb {

struct Case {
  Layer layer;
  int batch = 1;
  double weight_sparsity = 0.0;
  double activation_sparsity = 0.0;
  ActivationPattern activation_pattern = ActivationPattern::uniform;
  ActivationSource activation;  // from a file: activation_sparsity is then the file's real fraction of zeros
  MaskSpec mask;
  Precision precision = Precision::fp32;
  Layout layout = Layout::nchw;
  Fuse fuse = Fuse::none;
  std::string backend;
  Params params;
  std::optional<TuneSpec> tune;  // params chosen by the tuner (then `params` is empty)
  SourceMark backend_mark;       // where the sweep named this backend, for error messages

  // Unique, readable identity: used to resume, filter and compare runs.
  std::string key() const;
  // Identity of the data (inputs, weights, reference output) shared by every backend; fused cases share it
  // too (their reference is pooled from the same convolution reference).
  std::string data_key() const;
  // What the input tensor depends on (layer, batch, activation sparsity and pattern): cases that differ only
  // in their weights share it.
  std::string input_key() const;
  std::string params_text() const;
  // The op's output: N x K x P x Q of the convolution, or of the pool when fused.
  int output_height() const;
  int output_width() const;
  std::int64_t output_count() const;
  // After "as=0.5000" in keys: "f" a feature-map file, "c" clustered, "ch" channel, "" uniform.
  std::string pattern_suffix() const;
};

struct Plan {
  std::vector<Case> cases;
  std::size_t excluded = 0;          // dropped by the sweep's exclude rules
  std::size_t file_mask_merged = 0;  // likewise for masks read from files (labelled with their real sparsity)
  std::size_t nm_collapsed = 0;      // N:M masks fix the sparsity, so the sparsity axis is not crossed with them
  std::size_t unfusable = 0;         // fuse: pool on layers without a pool
  std::size_t other_op = 0;          // no case for their backend (Backend::applies): another kind of layer, ...
};

Plan expand_cases(const Sweep& sweep);
bool rule_matches(const ExcludeRule& rule, const Case& c);
std::string format_fraction(double value);

}  // namespace scb
