#pragma once
// `scbench crossover`: bisects weight sparsity, or activation sparsity, for the point where a sparse backend
// beats a dense one on a layer, measuring both at each step in the same run.
#include <cstdint>
#include <string>

namespace scb {

struct CrossoverArgs {
  std::string layer;  // network/layer
  int batch = 32;
  std::string sparse_backend, sparse_params, sparse_precision = "fp32";
  std::string dense_backend = "cudnn", dense_params, dense_precision = "fp32";
  std::string mask = "uniform";
  std::string axis = "weight";       // which sparsity is searched: weight or activation
  double weight_sparsity = 0.0;      // held fixed while activation sparsity is searched
  double activation_sparsity = 0.0;  // held fixed while weight sparsity is searched
  std::string activation_pattern = "uniform";
  double resolution = 0.01;
  double max_sparsity = 0.99;
  double max_time_s = 0.5;
  std::uint64_t seed = 1;
  std::string output;
  std::string layers_dir;
};

int crossover_command(const CrossoverArgs& args);

}  // namespace scb
