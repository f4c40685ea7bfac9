#pragma once
// Writes a BlockProgram as one PTX kernel entry. Every weight is an FFMA immediate and every input offset
// an immediate displacement from one base register; borders are predicated loads (zero outside the input),
// never branches. Knows nothing of the harness.
#include <string>

#include "kernels/codegen/program.hpp"

namespace scb::kernels::codegen {

struct PtxOptions {
  std::string arch = "sm_90";  // .target
  int threads = 128;           // threads per block (.maxntid); one output pixel each
};

// The module's text. Its one entry is named `entry` and takes (const float* input, float* output,
// unsigned pixels = N * P * Q). Throws std::invalid_argument where an offset would not fit an immediate.
std::string emit_ptx(const ConvShape& shape, const BlockProgram& block, const std::string& entry,
                     const PtxOptions& options);

}  // namespace scb::kernels::codegen
