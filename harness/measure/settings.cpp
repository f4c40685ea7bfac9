#include "harness/measure/settings.hpp"

namespace scb {

std::string to_string(TimingScope value) { return value == TimingScope::gpu ? "gpu" : "host"; }

std::optional<TimingScope> parse_timing_scope(const std::string& text) {
  if (text == "gpu") return TimingScope::gpu;
  if (text == "host") return TimingScope::host;
  return std::nullopt;
}

}  // namespace scb
