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

// How a thread's window meets the input's border. padded: the kernels read a zero-bordered copy of the
// input (kernels/pad.hpp), so every load is unconditional and needs no predicate; predicated: they read the
// input itself, each load predicated on its row and column being inside.
enum class Border { padded, predicated };

// Rows and columns of one input plane as the generated code addresses it: H + 2 pad_h by W + 2 pad_w when
// padded, H by W otherwise.
struct PlaneSize {
  int height, width;
};
PlaneSize read_plane(const ConvShape& shape, Border border);

struct TapWeight {
  int channel;  // output channel within the block
  float value;
};

struct Tap {
  int c, r, s;          // input channel within the group, filter row and column
  std::int64_t offset;  // elements from the thread's base: c*height*width + r*dilation_h*width + s*dilation_w
                        // (height, width: read_plane)
  std::vector<TapWeight> weights;
};

// One kernel entry: output channels [k_begin, k_begin + channels) of one group (k counted over all K).
struct BlockProgram {
  int group = 0;
  int k_begin = 0;
  int channels = 0;
  Border border = Border::padded;
  std::vector<Tap> taps;  // in (c, r, s) order; only taps with a nonzero weight in the block
  std::int64_t nonzeros() const;
};

// The programs of a layer: its weights (K x C/groups x R x S, pruned weights exactly zero) cut into blocks
// of `channels_per_block` output channels that never cross a group (a group's last block may be smaller).
std::vector<BlockProgram> build_programs(const ConvShape& shape, const float* weights, int channels_per_block,
                                         Border border);

// Cuts a block's taps into at most `parts` consecutive runs of about equal nonzeros, for kernels that add
// their partial sums into the output (more blocks when N x P x Q alone cannot fill the GPU, as at N = 1).
// Parts never split a tap; an empty block stays one part.
std::vector<BlockProgram> split_taps(const BlockProgram& block, int parts);

// The thread's base: the element its (r, s) = (0, 0) tap of channel 0 of its group reads, as an offset into
// the whole input as read (read_plane); when predicated it is negative or past a row where the window starts
// in the padding.
std::int64_t base_offset(const ConvShape& shape, Border border, int group, int n, int p, int q);

}  // namespace scb::kernels::codegen
