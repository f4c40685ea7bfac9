// Any bytes given as a .npy mask or as real values (weights, feature maps) either load or raise an NpyError. The
// expected shape is taken from the header itself, so that the data path is reached too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "harness/sparsity/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::int64_t count = -1;
  try {
    std::istringstream header_stream(bytes);
    const scb::NpyHeader header = scb::read_npy_header(header_stream, "fuzz.npy");
    for (const auto d : header.shape)
      if (d < 0) std::abort();
    count = 1;
    for (const auto d : header.shape) count *= d;
    if (count > (std::int64_t(1) << 24)) return 0;  // would only test the allocator
    std::istringstream mask_stream(bytes);
    const scb::Mask mask = scb::read_npy_mask(mask_stream, "fuzz.npy", header.shape);
    if (std::int64_t(mask.size()) != count) std::abort();
  } catch (const scb::NpyError&) {
  }
  if (count < 0 || count > (std::int64_t(1) << 24)) return 0;
  try {
    std::istringstream header_stream(bytes);
    const scb::NpyHeader header = scb::read_npy_header(header_stream, "fuzz.npy");
    std::istringstream value_stream(bytes);
    const auto values = scb::read_npy_values(value_stream, "fuzz.npy", header.shape, "values");
    if (std::int64_t(values.size()) != count) std::abort();
  } catch (const scb::NpyError&) {
  }
  return 0;
}
