#pragma once
// Writes a BlockProgram as one PTX kernel entry. Every weight is an FFMA immediate and every input offset
// an immediate displacement from one base register; borders are predicated loads (zero outside the input),
// never branches. Knows nothing of the harness.
#include <string>

#include "kernels/codegen/program.hpp"

namespace scb::kernels::codegen {

// How input and output are stored; weights are FP32 immediates (of the values as stored) and every
// accumulation is FP32 either way.
enum class Element { f32, f16, bf16 };

struct PtxOptions {
  std::string arch = "sm_90";  // .target
  int threads = 128;           // threads per block (.maxntid); one output pixel each
  Element element = Element::f32;
  bool accumulate = false;  // add into the output (red.global.add, FP32 only) instead of storing: split taps
};

// The module's text. Its one entry is named `entry` and takes (const T* input, T* output,
// unsigned pixels = N * P * Q), T the element type. Throws std::invalid_argument where an offset would not fit an
// immediate.
std::string emit_ptx(const ConvShape& shape, const BlockProgram& block, const std::string& entry,
                     const PtxOptions& options);

}  // namespace scb::kernels::codegen
