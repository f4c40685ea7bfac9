#pragma once
// What a generated convolution kernel computes, before it is written as PTX: for one block of output
// channels of one group, the (c, r, s) taps that have a nonzero weight in the block, each with its input
// offset and the weights it feeds. One thread computes one output pixel for every channel of the block:
// it loads each tap's input value once and multiplies it by every weight of the tap, given as constants.
// Knows nothing of the harness.
#include <cstdint>
#include <vector>

#include "kernels/conv_shape.hpp"

namespace scb::kernels::codegen {

struct TapWeight {
  int channel;  // output channel within the block
  float value;
};

struct Tap {
  int c, r, s;          // input channel within the group, filter row and column
  std::int64_t offset;  // elements from the thread's base: c*H*W + r*dilation_h*W + s*dilation_w
  std::vector<TapWeight> weights;
};

// One kernel entry: output channels [k_begin, k_begin + channels) of one group (k counted over all K).
struct BlockProgram {
  int group = 0;
  int k_begin = 0;
  int channels = 0;
  std::vector<Tap> taps;  // in (c, r, s) order; only taps with a nonzero weight in the block
  std::int64_t nonzeros() const;
};

// The programs of a layer: its weights (K x C/groups x R x S, pruned weights exactly zero) cut into blocks
// of `channels_per_block` output channels that never cross a group (a group's last block may be smaller).
std::vector<BlockProgram> build_programs(const ConvShape& shape, const float* weights, int channels_per_block);

// Cuts a block's taps into at most `parts` consecutive runs of about equal nonzeros, for kernels that add
// their partial sums into the output (more blocks when N x P x Q alone cannot fill the GPU, as at N = 1).
// Parts never split a tap; an empty block stays one part.
std::vector<BlockProgram> split_taps(const BlockProgram& block, int parts);

// The thread's base: the input element its (r, s) = (0, 0) tap of channel 0 of its group would read, as an
// offset into the whole input (negative or past a row where the window starts in the padding).
std::int64_t base_offset(const ConvShape& shape, int group, int n, int p, int q);

}  // namespace scb::kernels::codegen
