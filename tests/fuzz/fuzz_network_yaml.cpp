// Any text given as a network file either parses or raises a SpecError, and every parsed layer fits (and has
// weights exactly when it is a convolution).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "harness/spec/network.hpp"
#include "harness/spec/spec_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const scb::Network network = scb::parse_network(text, "fuzz.yaml");
    for (const auto& layer : network.layers)
      if (layer.shape_problem() || layer.P() <= 0 || layer.Q() <= 0 ||
          (layer.op == scb::LayerOp::conv) != (layer.weight_count() > 0))  // only convolutions have weights
        std::abort();
  } catch (const scb::SpecError&) {
  }
  return 0;
}
