#pragma once
// PTX to cubin in-process with nvJitLink, in parallel, with an on-disk cache of cubins keyed by a hash of
// everything that went in (the PTX, the target, the options, nvJitLink's version): a second run of the same
// layer compiles nothing. Needs no GPU. Knows nothing of the harness.
#include <string>
#include <vector>

namespace scb::kernels::codegen {

struct CompiledModule {
  std::vector<char> cubin;
  bool from_cache = false;
  double compile_ms = 0.0;  // nvJitLink's time for this module; 0 when it came from the cache
};

// One PTX module to a cubin for `arch` (e.g. "sm_90"); throws std::runtime_error with nvJitLink's log.
std::vector<char> compile_ptx(const std::string& ptx, const std::string& arch);

// The cache's key of one module: 32 hex digits.
std::string cubin_cache_key(const std::string& ptx, const std::string& arch);

// $SCBENCH_CODEGEN_CACHE, else $XDG_CACHE_HOME/scbench/cubins, else ~/.cache/scbench/cubins.
std::string default_cubin_cache_dir();

// Every module, on up to `threads` threads; modules found in `cache_dir` are read, the others compiled and
// written there (atomically: a killed run leaves no half file). An empty `cache_dir` turns the cache off.
std::vector<CompiledModule> compile_modules(const std::vector<std::string>& ptx, const std::string& arch,
                                            const std::string& cache_dir, unsigned threads);

}  // namespace scb::kernels::codegen
