#pragma once
// Direct sparse convolution for the H100 (NCHW, weights in a chunked CSR of precomputed offsets).
//
// A thread block owns one image, one output tile (tile_w x tile_h pixels) and warps x channels_per_warp
// output channels of one group. It stages the input halo of `chunk_channels` input channels at a time in
// shared memory, column-major (x outer, y inner, odd column pitch: no bank conflicts) with zero-filled
// borders, so there is no padding copy and no border test in the inner loop; fp32 is staged with
// cp.async, all copies in flight at once. Every warp walks the nonzeros of its channels in that chunk,
// and each nonzero (value + precomputed offset, one broadcast load) feeds `pixels` vertically adjacent
// outputs per lane (immediate offsets when stride_h is 1). Output channels are ordered by nonzero count,
// heaviest first, and dealt round-robin to warps, so channel_imbalanced masks stay balanced. Inputs may
// be fp32, fp16 or bf16; shared memory and accumulation are FP32.
// Knows nothing of the harness.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels/conv_shape.hpp"

namespace scb::kernels {

using DirectSparseShape = ConvShape;

// The tile choices (the backend's params).
struct DirectSparseTiling {
  int pixels;             // outputs per lane per channel: 1, 2, 4, 8
  int channels_per_warp;  // 1, 2, 4, 8; pixels x channels_per_warp <= 32
  int tile_w;             // 8, 16, 32 output columns; 32 / tile_w lane rows
  int warps;              // 1..8 per block
  int chunk_channels;     // input channels staged per step
  int splits;             // the chunks are split over this many blocks that add into the output (fp32 only)
};

// Everything the tiling implies for one layer.
struct DirectSparseGeometry {
  int tile_h, lane_rows;            // output rows per tile; lanes stacked vertically (32 / tile_w)
  int in_h, in_w;                   // staged halo of one input channel
  int column_pitch, channel_pitch;  // column-major staging: (x, y) at x * column_pitch + y
  int chunks;                       // ceil((C/groups) / chunk_channels)
  int chunks_per_split;
  int tiles_x, tiles_y;
  int block_channels, channel_blocks;
  long long shared_bytes;
};

inline DirectSparseGeometry direct_sparse_geometry(const DirectSparseShape& s, const DirectSparseTiling& t) {
  DirectSparseGeometry g{};
  g.lane_rows = 32 / t.tile_w;
  g.tile_h = t.pixels * g.lane_rows;
  g.in_w = (t.tile_w - 1) * s.stride_w + (s.S - 1) * s.dilation_w + 1;
  g.in_h = (g.tile_h - 1) * s.stride_h + (s.R - 1) * s.dilation_h + 1;
  g.column_pitch = g.in_h | 1;  // odd: lanes one column apart hit different banks
  g.channel_pitch = g.column_pitch * g.in_w;
  const int channels = s.C / s.groups;
  g.chunks = (channels + t.chunk_channels - 1) / t.chunk_channels;
  g.chunks_per_split = (g.chunks + t.splits - 1) / t.splits;
  g.tiles_x = (s.Q + t.tile_w - 1) / t.tile_w;
  g.tiles_y = (s.P + g.tile_h - 1) / g.tile_h;
  g.block_channels = t.warps * t.channels_per_warp;
  g.channel_blocks = (s.K / s.groups + g.block_channels - 1) / g.block_channels;
  g.shared_bytes = (long long)t.chunk_channels * g.channel_pitch * sizeof(float);
  return g;
}

// One nonzero: its value and the byte offset of its input in the staged chunk,
// 4 * ((c % chunk_channels) * channel_pitch + r * dilation_h + s * dilation_w * column_pitch).
struct alignas(8) SparseEntry {
  float value;
  int offset_bytes;
};

struct DirectSparseWeights {
  const int* order;      // groups x K/groups: output channel (within its group) of each slot
  const int* chunk_ptr;  // groups x K/groups x (chunks + 1): entry range of each slot and chunk
  const SparseEntry* entries;
};

// Call once before launching with this tiling (raises the shared-memory limit where needed).
// With splits > 1 (fp32 only) the launch first zeroes the output, then blocks add their partial sums.
template <class T>
cudaError_t direct_sparse_configure(const DirectSparseShape& shape, const DirectSparseTiling& tiling);

template <class T>
cudaError_t direct_sparse_conv(const T* input, T* output, const DirectSparseShape& shape,
                               const DirectSparseTiling& tiling, const DirectSparseWeights& weights,
                               cudaStream_t stream);

}  // namespace scb::kernels
