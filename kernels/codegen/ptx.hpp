#pragma once
// Writes a BlockProgram as one PTX kernel entry. Every weight is an FFMA immediate and every input offset
// an immediate displacement from one base register. Borders: a padded input needs no check; otherwise each
// load is predicated (zero outside the input), never a branch. Knows nothing of the harness.
#include <optional>
#include <string>

#include "kernels/codegen/program.hpp"
#include "kernels/tensor_types.hpp"

namespace scb::kernels::codegen {

struct PtxOptions {
  std::string arch = "sm_90";  // .target
  int threads = 128;           // threads per block (.maxntid); one output pixel each
  // How input and output are stored; weights are FP32 immediates (of the values as stored) and every
  // accumulation is FP32 either way.
  ElementType element = ElementType::f32;
  bool accumulate = false;  // add into the output (red.global.add, FP32 only) instead of storing: split taps
  // .maxnreg: nvJitLink compiles PTX as relocatable code, and ptxas then gives straight-line kernels all 255
  // registers (9% of warps active on an H200); 0 leaves the choice to ptxas.
  int max_registers = 0;
  // Skip every channel dead in the thread's image: the entry takes a fourth param, the liveness bits of
  // kernels/channel_liveness.hpp, and branches over each channel's taps whose bit is clear (dual_sparse).
  bool skip_dead_channels = false;
  // Fuse ReLU and a max-pool; the output is N x K x pool.P x pool.Q. Where pool_window_lanes is nonzero,
  // each conv output of a window has its own thread and adjacent lanes meet by shuffles (pixels = N x pool.P
  // x pool.Q x lanes), so the grid stays as large as the unfused conv's. Otherwise one thread per pooled
  // output (pixels = N x pool.P x pool.Q) computes its window's conv outputs in turn (a loop over the window).
  // Either way the result is the max of 0 and the window's conv outputs.
  std::optional<PoolGeometry> pool;
  // A block-wide barrier (bar.sync) every this many taps, 0 for none: it pulls a block's warps back together
  // in the straight-line code so that one instruction fetch serves them all (session 10-11: 25-65% of the
  // generated kernels' warp cycles stalled on instruction fetch). Taken only by full blocks (the last block's
  // threads past the end have left) and, with skip_dead_channels, only where a channel's branch has rejoined.
  // Not with pool: threads of a fused pool skip the body for windows outside the map.
  int barrier_taps = 0;
};

// Threads per pooled output of a size x size window when its conv outputs are spread over adjacent lanes:
// size x size where that is a power of two of at most 32 (so a window never spans two warps), else 0 (the
// loop).
int pool_window_lanes(int size);

// The module's text. Its one entry is named `entry` and takes (const T* input, T* output,
// unsigned pixels = N * P * Q[, const unsigned* live]), T the element type; input is the padded copy when
// block.border is padded; live only with skip_dead_channels. Throws
// std::invalid_argument where an offset would not fit an immediate.
std::string emit_ptx(const ConvShape& shape, const BlockProgram& block, const std::string& entry,
                     const PtxOptions& options);

}  // namespace scb::kernels::codegen
