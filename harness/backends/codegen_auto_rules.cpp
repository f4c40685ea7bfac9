#include "harness/backends/codegen_auto_rules.hpp"

#include <algorithm>

namespace scb {

int codegen_threads(const Case& c, const std::string& value, int registers, int channels, int split, int streams,
                    int sm_count) {
  if (value != "auto") return std::stoi(value);
  const long long pixels = (long long)c.batch * c.layer.P() * c.layer.Q();
  const long long kernels = (long long)(c.layer.K + channels - 1) / channels * split;
  const long long at_once = std::min<long long>(streams, kernels);
  for (const int threads : {512, 256})
    if (registers > 0 && threads * registers <= 32768 && pixels / threads * at_once >= 2LL * sm_count) return threads;
  return 128;
}

int codegen_barrier_taps(const Case& c, const std::string& value, bool skips_dead_channels) {
  if (value != "auto") return std::stoi(value);
  return skips_dead_channels && c.fuse != Fuse::pool ? 32 : 0;
}

}  // namespace scb
