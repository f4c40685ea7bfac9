#pragma once
// Host-side data of one case: inputs, masked weights, and their conversions to the precision and
// layout a backend consumes. Values are rounded to the storage type first, so the FP64 reference
// sees exactly the numbers the GPU sees.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "harness/sparsity/mask.hpp"
#include "harness/spec/case.hpp"

namespace scb {

struct HostProblem {
  Layer layer;
  int batch = 1;
  StorageType storage = StorageType::fp32;
  std::vector<float> input;    // N x C x H x W
  std::vector<float> weights;  // K x C/g x R x S, pruned weights are exactly zero; empty for pool and softmax
  Mask mask;                   // same order as weights
  MaskShape mask_shape;
  double weight_density = 1.0;      // achieved, not requested
  double activation_density = 1.0;  // achieved fraction of nonzero inputs
};

// A softmax's generated logits lie in [96 - 4, 96 + 4]: exp of every one overflows FP32 (above 88.7), so a
// softmax that does not subtract the row's max fails verification, and the spread keeps every class's share
// above e^-8 of the largest, so every output counts.
constexpr double kSoftmaxLogitCenter = 96.0, kSoftmaxLogitSpread = 4.0;

// A case's input tensor, rounded to its storage type: a function of the sweep seed and the case's input key
// (layer, batch, activation sparsity and pattern), so cases that differ only in their weights share it.
struct HostInput {
  std::vector<float> values;  // N x C x H x W
  double density = 1.0;       // achieved fraction of nonzero inputs
};
HostInput make_input(const Case& c, std::uint64_t sweep_seed);

// Weights, mask and input are deterministic functions of (sweep seed, case data).
Mask build_weight_mask(const Case& c, std::uint64_t sweep_seed);
HostProblem make_problem(const Case& c, std::uint64_t sweep_seed);
// The same with an input already made by make_input for this case (it is copied).
HostProblem make_problem(const Case& c, std::uint64_t sweep_seed, const HostInput& input);

float round_to_storage(float value, StorageType storage);

// Float values -> raw bytes of the storage type, in the same order.
std::vector<std::byte> encode_values(const std::vector<float>& values, StorageType storage);
// Logical (NCHW / KCRS) float data -> raw bytes in the given layout and storage type.
std::vector<std::byte> encode_activations(const std::vector<float>& nchw, int n, int c, int h, int w, Layout layout,
                                          StorageType storage);
std::vector<std::byte> encode_weights(const std::vector<float>& kcrs, int k, int c, int r, int s, Layout layout,
                                      StorageType storage);
// One stored value as a double.
double decode_element(const std::byte* at, StorageType storage);
// Raw output bytes (N x K x P x Q in `layout`) -> logical NCHW doubles.
std::vector<double> decode_output(const std::vector<std::byte>& raw, int n, int k, int p, int q, Layout layout,
                                  StorageType storage);

}  // namespace scb
