#include "kernels/codegen/program.hpp"

#include <algorithm>
#include <stdexcept>

namespace scb::kernels::codegen {

std::int64_t BlockProgram::nonzeros() const {
  std::int64_t total = 0;
  for (const auto& tap : taps) total += std::int64_t(tap.weights.size());
  return total;
}

PlaneSize read_plane(const ConvShape& shape, Border border) {
  if (border == Border::predicated) return {shape.H, shape.W};
  return {shape.H + 2 * shape.pad_h, shape.W + 2 * shape.pad_w};
}

std::vector<BlockProgram> build_programs(const ConvShape& shape, const float* weights, int channels_per_block,
                                         Border border) {
  if (channels_per_block < 1) throw std::invalid_argument("channels_per_block must be at least 1");
  const int outputs = shape.K / shape.groups, channels = shape.C / shape.groups;
  const auto [height, width] = read_plane(shape, border);
  const std::int64_t rs = std::int64_t(shape.R) * shape.S, plane = std::int64_t(height) * width;
  std::vector<BlockProgram> programs;
  for (int group = 0; group < shape.groups; ++group)
    for (int first = 0; first < outputs; first += channels_per_block) {
      BlockProgram block;
      block.group = group;
      block.k_begin = group * outputs + first;
      block.channels = std::min(channels_per_block, outputs - first);
      block.border = border;
      for (int c = 0; c < channels; ++c)
        for (int r = 0; r < shape.R; ++r)
          for (int s = 0; s < shape.S; ++s) {
            Tap tap{c,
                    r,
                    s,
                    c * plane + std::int64_t(r) * shape.dilation_h * width + std::int64_t(s) * shape.dilation_w,
                    {}};
            for (int k = 0; k < block.channels; ++k) {
              const float w = weights[(std::int64_t(block.k_begin + k) * channels + c) * rs + r * shape.S + s];
              if (w != 0.0f) tap.weights.push_back({k, w});
            }
            if (!tap.weights.empty()) block.taps.push_back(std::move(tap));
          }
      programs.push_back(std::move(block));
    }
  return programs;
}

std::vector<BlockProgram> split_taps(const BlockProgram& block, int parts) {
  if (parts < 1) throw std::invalid_argument("split_taps: parts must be at least 1");
  const std::int64_t total = block.nonzeros();
  std::vector<BlockProgram> out;
  BlockProgram part{block.group, block.k_begin, block.channels, block.border, {}};
  std::int64_t done = 0;
  for (const auto& tap : block.taps) {
    part.taps.push_back(tap);
    done += std::int64_t(tap.weights.size());
    // Close this part once it holds its share of the nonzeros (the last part takes the rest).
    if (int(out.size()) + 1 < parts && done * parts >= total * std::int64_t(out.size() + 1)) {
      out.push_back(std::move(part));
      part = BlockProgram{block.group, block.k_begin, block.channels, block.border, {}};
    }
  }
  if (!part.taps.empty() || out.empty()) out.push_back(std::move(part));
  return out;
}

std::int64_t base_offset(const ConvShape& shape, Border border, int group, int n, int p, int q) {
  const auto [height, width] = read_plane(shape, border);
  const std::int64_t plane = std::int64_t(height) * width;
  // Padded, the window's first row and column are p * stride and q * stride of the padded plane.
  const int pad_h = border == Border::padded ? 0 : shape.pad_h, pad_w = border == Border::padded ? 0 : shape.pad_w;
  const std::int64_t h0 = std::int64_t(p) * shape.stride_h - pad_h;
  const std::int64_t w0 = std::int64_t(q) * shape.stride_w - pad_w;
  return (std::int64_t(n) * shape.C + std::int64_t(group) * (shape.C / shape.groups)) * plane + h0 * width + w0;
}

}  // namespace scb::kernels::codegen
