#pragma once
// The persistent tuning cache: every evaluated config and every choice, one JSON line each, appended
// under an exclusive lock and flushed at once. A killed run loses at most the line it was writing (a cut
// line is skipped on reading); concurrent runs append side by side and nothing they wrote is lost. A
// lookup takes the fastest choice recorded for the key.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace scb {

// Everything a tuned choice depends on. Two cases share a cached choice only when all of it is equal.
struct TuningKey {
  // The GPU and its software.
  std::string gpu_name;
  int sm_count = 0;
  int memory_clock_mhz = 0;
  std::string driver, cuda, libraries;  // libraries: e.g. "cudnn 9.14.0, cublas 13.1.0"
  // The code that is tuned: a hash of the kernel sources and backend adapters of this build.
  std::string source_hash;
  std::string backend;
  // The problem.
  nlohmann::json shape;  // the layer's C, H, W, K, R, S, stride, pad, dilation, groups
  int batch = 1;
  std::string precision, layout;
  std::string mask_fingerprint;  // kind, sparsity and seed; or the hash of a mask file
  std::string space;             // the searched space when a sweep restricted it (TuneSpec::space_text)

  nlohmann::json to_json() const;
  // A short stable name of the whole key (FNV-1a of its canonical JSON).
  std::string hash() const;
};

struct TunedChoice {
  nlohmann::json params;  // {"pixels": "8", ...}
  double time_us = 0;
  std::string strategy;
  int evaluations = 0;
};

class TuningCache {
 public:
  explicit TuningCache(std::filesystem::path file);
  const std::filesystem::path& file() const { return file_; }

  // Every line written so far by this and any other process; cut or foreign lines are skipped.
  std::vector<nlohmann::json> read_all() const;
  // The fastest choice recorded for the key, if any.
  std::optional<TunedChoice> lookup(const TuningKey& key) const;

  // One evaluated config: its median, or why it has none.
  void record_evaluation(const TuningKey& key, const nlohmann::json& params, std::optional<double> time_us,
                         const std::string& failure, const std::string& strategy);
  void record_choice(const TuningKey& key, const TunedChoice& choice);

  // The default location: $SCBENCH_TUNING_CACHE, else $XDG_CACHE_HOME/scbench/tuning.jsonl, else
  // ~/.cache/scbench/tuning.jsonl.
  static std::filesystem::path default_file();

 private:
  void append(const nlohmann::json& line) const;
  std::filesystem::path file_;
};

// A short hash of a file's bytes (a mask file, for the tuning key).
std::string file_fingerprint(const std::filesystem::path& file);

// Kernel Tuner's cache format (schema 1.1.0), one document per tuned key found in `lines`: the configs
// under "cache", keyed by their values joined with commas, times in milliseconds, failures as
// "RuntimeFailedConfig". Returns {file name, document} pairs.
std::vector<std::pair<std::string, nlohmann::json>> kernel_tuner_caches(const std::vector<nlohmann::json>& lines);

}  // namespace scb
