// Any text given as a sweep file either parses or raises a SpecError: never a crash, a hang or
// another exception (libFuzzer reports an escaping exception as a crash).
#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/spec/spec_error.hpp"
#include "harness/spec/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    scb::parse_sweep(text, "fuzz.yaml");
  } catch (const scb::SpecError&) {
  }
  return 0;
}
