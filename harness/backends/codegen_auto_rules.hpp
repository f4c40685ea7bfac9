#pragma once
// codegen's and dual_sparse's "auto" rules for params threads and barrier, separate from the backend so that they
// can be tested without a GPU.
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

// "auto": a barrier every 32 taps for dual_sparse without a fused pool, else none. Its warps skip dead channels
// image by image and drift apart, each fetching its own instructions: session 12's H200 profile of VGG-16
// conv4_2 (49% dead channels, 73% zero weights), N = 32, 892 us without and 775 us with; at N = 1 495 and 496 us.
// codegen's warps stay together without one (504 against 502-507 us on VGG-19 conv4_2). A fused pool cannot
// have one: windows outside the map skip the body. Any other value: itself.
int codegen_barrier_taps(const Case& c, const std::string& value, bool skips_dead_channels);

}  // namespace scb
