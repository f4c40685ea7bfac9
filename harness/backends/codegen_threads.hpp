#pragma once
// codegen's block size rule (param threads "auto"), separate from the backend so that it can be tested without
// a GPU.
#include <string>

#include "harness/spec/case.hpp"

namespace scb {

// "auto": the most threads a block (512, then 256) that still fit two blocks in an SM's registers and give
// every SM two blocks of the kernels that run at once; else 128. More warps of one kernel on an SM share each
// instruction line fetched: session 11's H200 profile of VGG-19 conv4_2 at 90%, N = 32, 128 threads 634 us
// (40-65% of stalls on instruction fetch), 256 threads 590 us, 512 threads 545 us. Any other value: itself.
// registers: the .maxnreg limit, 0 for none.
int codegen_threads(const Case& c, const std::string& value, int registers, int channels, int split, int streams,
                    int sm_count);

}  // namespace scb
