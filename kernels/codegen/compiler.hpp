#pragma once
// PTX to cubin in-process with nvJitLink, in parallel, with an on-disk cache of cubins keyed by a hash of
// everything that went in (the PTX, the target, the options, nvJitLink's version): a second run of the same
// layer compiles nothing. Needs no GPU. Knows nothing of the harness.
#include <string>
#include <vector>

namespace scb::kernels::codegen {

// What ptxas (inside nvJitLink) is asked for: the GPU and the optimisation level. -O1 compiles straight-line
// code in about half the time of -O3 (6.8 s against 3.7 s for a 15K-nonzero block, session 8).
struct CompileTarget {
  std::string arch = "sm_90";
  int optimization = 3;  // 0-3
};

struct CompiledModule {
  std::vector<char> cubin;
  bool from_cache = false;
  double compile_ms = 0.0;  // nvJitLink's time for this module; 0 when it came from the cache
};

// One PTX module to a cubin; throws std::runtime_error with nvJitLink's log.
std::vector<char> compile_ptx(const std::string& ptx, const CompileTarget& target);

// The cache's key of one module: 32 hex digits.
std::string cubin_cache_key(const std::string& ptx, const CompileTarget& target);

// $SCBENCH_CODEGEN_CACHE, else $XDG_CACHE_HOME/scbench/cubins, else ~/.cache/scbench/cubins.
std::string default_cubin_cache_dir();

// Every module, on up to `threads` threads; modules found in `cache_dir` are read, the others compiled and
// written there (atomically: a killed run leaves no half file). An empty `cache_dir` turns the cache off.
std::vector<CompiledModule> compile_modules(const std::vector<std::string>& ptx, const CompileTarget& target,
                                            const std::string& cache_dir, unsigned threads);

}  // namespace scb::kernels::codegen
