#include "harness/data/problem_data.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstring>
#include <stdexcept>

#include "harness/sparsity/activation.hpp"
#include "harness/sparsity/npy.hpp"
#include "harness/sparsity/rng.hpp"
#include "harness/data/host_parallel.hpp"

namespace scb {

namespace {

void store(std::byte* out, float value, StorageType storage) {
  switch (storage) {
    case StorageType::fp32:
      std::memcpy(out, &value, 4);
      break;
    case StorageType::fp16: {
      const __half h = __float2half_rn(value);
      std::memcpy(out, &h, 2);
      break;
    }
    case StorageType::bf16: {
      const __nv_bfloat16 b = __float2bfloat16_rn(value);
      std::memcpy(out, &b, 2);
      break;
    }
  }
}

}  // namespace

double decode_element(const std::byte* in, StorageType storage) {
  switch (storage) {
    case StorageType::fp32: {
      float v;
      std::memcpy(&v, in, 4);
      return v;
    }
    case StorageType::fp16: {
      __half h;
      std::memcpy(&h, in, 2);
      return __half2float(h);
    }
    case StorageType::bf16: {
      __nv_bfloat16 b;
      std::memcpy(&b, in, 2);
      return __bfloat162float(b);
    }
  }
  return 0.0;
}

namespace {

std::vector<std::byte> encode_4d(const std::vector<float>& logical, int A, int B, int Y, int X, Layout layout,
                                 StorageType storage) {
  if (logical.size() != std::size_t(A) * B * Y * X)
    throw std::logic_error("encode_4d: data size does not match the shape");
  const std::size_t size = bytes_per_element(storage);
  std::vector<std::byte> raw(logical.size() * size);
  for_each_host_chunk(logical.size(), [&](std::size_t, std::size_t begin, std::size_t end) {
    if (layout == Layout::nchw) {
      for (std::size_t i = begin; i < end; ++i) store(raw.data() + i * size, logical[i], storage);
      return;
    }
    StoredOrderWalk stored(begin, std::size_t(A), std::size_t(B), std::size_t(Y), std::size_t(X), stored_order(layout));
    for (std::size_t i = begin; i < end; ++i, stored.next())
      store(raw.data() + stored.offset() * size, logical[i], storage);
  });
  return raw;
}

}  // namespace

float round_to_storage(float value, StorageType storage) {
  switch (storage) {
    case StorageType::fp16:
      return __half2float(__float2half_rn(value));
    case StorageType::bf16:
      return __bfloat162float(__float2bfloat16_rn(value));
    default:
      return value;
  }
}

Mask build_weight_mask(const Case& c, std::uint64_t sweep_seed) {
  const MaskShape shape{c.layer.K, c.layer.reduction_length()};
  if (c.mask.kind == MaskKind::file || c.mask.kind == MaskKind::weights)
    return load_npy_mask(c.mask.path_for(c.layer), {c.layer.K, c.layer.channels_per_group(), c.layer.R, c.layer.S});
  // The mask does not depend on batch, precision or backend: every such case prunes the same weights.
  const std::string name = "mask " + c.layer.id() + " " + c.mask.label() + " " + format_fraction(c.weight_sparsity);
  return generate_mask(c.mask, shape, c.weight_sparsity, derive_seed(sweep_seed, name));
}

HostInput make_input(const Case& c, std::uint64_t sweep_seed) {
  const Layer& l = c.layer;
  const StorageType storage = storage_of(c.precision);
  HostInput input;
  if (c.activation.from_file()) {
    input.values = load_npy_values(c.activation.path_for(l), {c.batch, l.C, l.H, l.W}, "feature map");
    for (auto& value : input.values) value = round_to_storage(value, storage);
  } else {
    Rng input_rng(derive_seed(sweep_seed, "input " + l.id() + " N=" + std::to_string(c.batch)));
    input.values.resize(std::size_t(l.input_count(c.batch)));
    const bool logits = l.op == LayerOp::softmax;
    const double center = logits ? kSoftmaxLogitCenter : 0.0, spread = logits ? kSoftmaxLogitSpread : 1.0;
    for (auto& value : input.values)
      value = round_to_storage(float(center + spread * input_rng.uniform(-1.0, 1.0)), storage);
    apply_activation_sparsity(
        input.values, c.batch, l.C, l.H, l.W, c.activation_sparsity, c.activation_pattern,
        derive_seed(sweep_seed, "activation zeros " + l.id() + " " + format_fraction(c.activation_sparsity)));
  }
  std::size_t nonzero = 0;
  for (const float value : input.values) nonzero += value != 0.0f;
  input.density = input.values.empty() ? 0.0 : double(nonzero) / double(input.values.size());
  return input;
}

HostProblem make_problem(const Case& c, std::uint64_t sweep_seed) {
  return make_problem(c, sweep_seed, make_input(c, sweep_seed));
}

HostProblem make_problem(const Case& c, std::uint64_t sweep_seed, const HostInput& input) {
  HostProblem p;
  p.layer = c.layer;
  p.batch = c.batch;
  p.storage = storage_of(c.precision);
  p.mask_shape = {c.layer.K, c.layer.reduction_length()};
  p.input = input.values;
  p.activation_density = input.density;
  if (c.layer.op != LayerOp::conv) {  // pooling and softmax: no weights, nothing pruned
    p.mask_shape = {0, 0};
    return p;
  }
  if (c.mask.kind == MaskKind::weights) {
    // Real weights: their values as stored, and their zeros (after rounding, as the GPU sees them) the mask.
    p.weights = load_npy_values(c.mask.path_for(c.layer),
                                {c.layer.K, c.layer.channels_per_group(), c.layer.R, c.layer.S}, "weights");
    p.mask.resize(p.weights.size());
    for (std::size_t i = 0; i < p.weights.size(); ++i) {
      p.weights[i] = round_to_storage(p.weights[i], p.storage);
      p.mask[i] = p.weights[i] != 0.0f ? 1 : 0;
    }
    p.weight_density = mask_density(p.mask);
    return p;
  }
  p.mask = build_weight_mask(c, sweep_seed);
  p.weight_density = mask_density(p.mask);

  Rng weight_rng(derive_seed(sweep_seed, "weights " + c.layer.id()));
  p.weights.resize(std::size_t(c.layer.weight_count()));
  for (std::size_t i = 0; i < p.weights.size(); ++i) {
    // Magnitudes in [0.25, 1] keep every kept weight clearly nonzero in every precision.
    const float magnitude = float(weight_rng.uniform(0.25, 1.0));
    const float value = weight_rng.uniform01() < 0.5 ? -magnitude : magnitude;
    p.weights[i] = p.mask[i] ? round_to_storage(value, p.storage) : 0.0f;
  }
  return p;
}

std::vector<std::byte> encode_values(const std::vector<float>& values, StorageType storage) {
  const std::size_t size = bytes_per_element(storage);
  std::vector<std::byte> raw(values.size() * size);
  for (std::size_t i = 0; i < values.size(); ++i) store(raw.data() + i * size, values[i], storage);
  return raw;
}

std::vector<std::byte> encode_activations(const std::vector<float>& nchw, int n, int c, int h, int w, Layout layout,
                                          StorageType storage) {
  return encode_4d(nchw, n, c, h, w, layout, storage);
}

std::vector<std::byte> encode_weights(const std::vector<float>& kcrs, int k, int c, int r, int s, Layout layout,
                                      StorageType storage) {
  return encode_4d(kcrs, k, c, r, s, layout, storage);  // NHWC filters are K x R x S x C
}

std::vector<double> decode_output(const std::vector<std::byte>& raw, int n, int k, int p, int q, Layout layout,
                                  StorageType storage) {
  const std::size_t size = bytes_per_element(storage);
  const std::size_t count = std::size_t(n) * k * p * q;
  if (raw.size() != count * size) throw std::logic_error("decode_output: buffer size does not match the output shape");
  std::vector<double> logical(count);
  for_each_host_chunk(count, [&](std::size_t, std::size_t begin, std::size_t end) {
    if (layout == Layout::nchw) {
      for (std::size_t i = begin; i < end; ++i) logical[i] = decode_element(raw.data() + i * size, storage);
      return;
    }
    StoredOrderWalk stored(begin, std::size_t(n), std::size_t(k), std::size_t(p), std::size_t(q), stored_order(layout));
    for (std::size_t i = begin; i < end; ++i, stored.next())
      logical[i] = decode_element(raw.data() + stored.offset() * size, storage);
  });
  return logical;
}

}  // namespace scb
