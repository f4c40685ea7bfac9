#pragma once
// Reads NumPy .npy files (format versions 1-3) holding masks: bool, integer or float arrays,
// C order. Anything else is rejected with a message that says how to re-save the file.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/sparsity/mask.hpp"

namespace scb {

class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NpyHeader {
  std::string dtype;  // numpy descr, e.g. "|b1", "<f4"
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::size_t data_offset = 0;
};

NpyHeader read_npy_header(const std::filesystem::path& path);
// The same from a stream positioned at the file's start; `name` labels errors. Every malformed header
// is an NpyError (negative or huge dimensions included), never another exception.
NpyHeader read_npy_header(std::istream& in, const std::string& name);
// Nonzero entries are kept weights. The array's shape must equal `expected_shape`.
Mask load_npy_mask(const std::filesystem::path& path, const std::vector<std::int64_t>& expected_shape);
Mask read_npy_mask(std::istream& in, const std::string& name, const std::vector<std::int64_t>& expected_shape);
// Real tensors (weights K x C/groups x R x S, feature maps N x C x H x W): float32 or float64, finite, of
// `expected_shape`; `what` names the tensor in errors.
std::vector<float> load_npy_values(const std::filesystem::path& path, const std::vector<std::int64_t>& expected_shape,
                                   const std::string& what);
std::vector<float> read_npy_values(std::istream& in, const std::string& name,
                                   const std::vector<std::int64_t>& expected_shape, const std::string& what);
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace scb
