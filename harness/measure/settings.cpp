#include "harness/measure/settings.hpp"

namespace scb {

std::string to_string(TimingScope value) {
  switch (value) {
    case TimingScope::gpu:
      return "gpu";
    case TimingScope::end_to_end:
      return "end_to_end";
    default:
      return "host";
  }
}

std::optional<TimingScope> parse_timing_scope(const std::string& text) {
  if (text == "gpu") return TimingScope::gpu;
  if (text == "host") return TimingScope::host;
  if (text == "end_to_end") return TimingScope::end_to_end;
  return std::nullopt;
}

}  // namespace scb
