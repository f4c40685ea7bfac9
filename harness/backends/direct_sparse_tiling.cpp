#include "harness/backends/direct_sparse_tiling.hpp"

#include <algorithm>
#include <string>

namespace scb {

namespace {

constexpr long long kSharedBudget = 48 * 1024;  // per block, so several blocks share an SM
constexpr int kBlocksPerSmWanted = 2;
constexpr int kMaxSplits = 16;
// An auto chunk shrinks to make room for splits, but not below this: on the H100's Escort set at N = 1,
// chunk 16 with splits ran 1.67x faster (geometric mean) than one chunk of up to 48 KiB per block.
constexpr int kMinSplitChunk = 16;

int auto_tile_w(int Q) { return Q <= 8 ? 8 : Q <= 16 ? 16 : 32; }

}  // namespace

kernels::DirectSparseTiling direct_sparse_tiling(const Backend& backend, const Case& c, int sm_count) {
  const auto shape = conv_shape(c);
  kernels::DirectSparseTiling t{};
  t.pixels = std::stoi(backend.param(c, "pixels"));
  t.channels_per_warp = std::stoi(backend.param(c, "channels_per_warp"));
  const std::string tile_w = backend.param(c, "tile_w");
  t.tile_w = tile_w == "auto" ? auto_tile_w(shape.Q) : std::stoi(tile_w);
  const std::string warps = backend.param(c, "warps");
  const std::string chunk = backend.param(c, "chunk");
  t.warps = 4;
  t.chunk_channels = 1;
  const int channels = shape.C / shape.groups;
  if (chunk != "auto") {
    t.chunk_channels = std::min(std::stoi(chunk), channels);
  } else {
    const long long pitch_bytes = kernels::direct_sparse_geometry(shape, t).channel_pitch * (long long)sizeof(float);
    t.chunk_channels = int(std::clamp<long long>(kSharedBudget / pitch_bytes, 1, channels));
  }
  t.splits = 1;
  const auto blocks = [&] {
    const auto g = kernels::direct_sparse_geometry(shape, t);
    return (long long)g.tiles_x * g.tiles_y * g.channel_blocks * shape.N * shape.groups * t.splits;
  };
  const long long wanted = (long long)kBlocksPerSmWanted * std::max(sm_count, 1);
  if (warps != "auto") {
    t.warps = std::stoi(warps);
  } else {
    // 8 warps stage a chunk fastest; 4 when 8 would leave SMs without a block.
    t.warps = 8;
    if (blocks() < wanted) t.warps = 4;
  }
  const std::string splits = backend.param(c, "split");
  if (splits != "auto") {
    t.splits = std::stoi(splits);
  } else if (c.precision == Precision::fp32) {
    // Small grids (batch 1, small images) split the input channels over more blocks instead. Each split
    // needs chunks of its own, so an auto chunk shrinks (not below kMinSplitChunk) to let the splits grow.
    while (blocks() < wanted && t.splits < kMaxSplits) {
      if (t.splits * 2 <= kernels::direct_sparse_geometry(shape, t).chunks) {
        t.splits *= 2;
        continue;
      }
      const int smaller = std::max(kMinSplitChunk, (channels + 2 * t.splits - 1) / (2 * t.splits));
      if (chunk != "auto" || smaller >= t.chunk_channels) break;
      t.chunk_channels = smaller;
    }
  }
  return t;
}

}  // namespace scb
