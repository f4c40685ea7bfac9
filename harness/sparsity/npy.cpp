#include "harness/sparsity/npy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <regex>

namespace scb {

namespace {

const char kFix[] = "save it with numpy.save(path, numpy.ascontiguousarray(mask, dtype=numpy.uint8))";

std::size_t dtype_size(const std::string& dtype) {
  static const std::vector<std::pair<std::string, std::size_t>> kTypes{
      {"|b1", 1}, {"|u1", 1}, {"|i1", 1}, {"<i4", 4}, {"<u4", 4}, {"<i8", 8}, {"<u8", 8}, {"<f4", 4}, {"<f8", 8}};
  for (const auto& [name, size] : kTypes)
    if (name == dtype) return size;
  return 0;
}

}  // namespace

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

NpyHeader read_npy_header(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path.string() + ": cannot open mask file");
  return read_npy_header(in, path.string());
}

namespace {

// "(64, 3, 3, 3)", "(5,)" or "()": comma-separated whole numbers, nothing else.
std::vector<std::int64_t> parse_shape(const std::string& dims, const std::string& name) {
  constexpr std::int64_t kMaxElements = std::int64_t(1) << 40;
  std::vector<std::int64_t> shape;
  std::int64_t count = 1;
  std::size_t begin = 0;
  while (begin <= dims.size()) {
    const std::size_t comma = std::min(dims.find(',', begin), dims.size());
    std::string token = dims.substr(begin, comma - begin);
    token.erase(0, token.find_first_not_of(" \t"));
    token.erase(token.find_last_not_of(" \t") + 1);
    begin = comma + 1;
    if (token.empty()) {
      if (comma == dims.size()) break;  // "(5,)": a trailing comma
      throw NpyError(name + ": corrupt .npy header (empty dimension in shape (" + dims + ")); " + kFix);
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size() || value < 0)
      throw NpyError(name + ": corrupt .npy header (dimension '" + token + "' is not a non-negative integer); " + kFix);
    if (value > 0 && count > kMaxElements / value) throw NpyError(name + ": .npy shape (" + dims + ") is too large");
    count *= value;
    shape.push_back(value);
  }
  return shape;
}

}  // namespace

NpyHeader read_npy_header(std::istream& in, const std::string& name) {
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw NpyError(name + ": not a .npy file (bad magic bytes); " + kFix);
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t header_length = 0;
  if (major == 1) {
    unsigned char bytes[2];
    if (!in.read(reinterpret_cast<char*>(bytes), 2)) throw NpyError(name + ": truncated .npy header");
    header_length = bytes[0] | (bytes[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char bytes[4];
    if (!in.read(reinterpret_cast<char*>(bytes), 4)) throw NpyError(name + ": truncated .npy header");
    header_length = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (std::uint32_t(bytes[3]) << 24);
  } else {
    throw NpyError(name + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_length > (1u << 20))
    throw NpyError(name + ": corrupt .npy header (length " + std::to_string(header_length) + ")");
  std::string header(header_length, '\0');
  if (!in.read(header.data(), header_length)) throw NpyError(name + ": truncated .npy header");

  NpyHeader parsed;
  parsed.data_offset = (major == 1 ? 10 : 12) + header_length;
  std::smatch match;
  if (!std::regex_search(header, match, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    throw NpyError(name + ": corrupt .npy header (no 'descr'); " + kFix);
  parsed.dtype = match[1];
  if (!std::regex_search(header, match, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    throw NpyError(name + ": corrupt .npy header (no 'fortran_order'); " + kFix);
  parsed.fortran_order = match[1] == "True";
  if (!std::regex_search(header, match, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    throw NpyError(name + ": corrupt .npy header (no 'shape'); " + kFix);
  parsed.shape = parse_shape(match[1], name);
  return parsed;
}

Mask load_npy_mask(const std::filesystem::path& path, const std::vector<std::int64_t>& expected_shape) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path.string() + ": cannot open mask file");
  return read_npy_mask(in, path.string(), expected_shape);
}

Mask read_npy_mask(std::istream& in, const std::string& name, const std::vector<std::int64_t>& expected_shape) {
  const NpyHeader header = read_npy_header(in, name);
  const std::size_t item = dtype_size(header.dtype);
  if (item == 0)
    throw NpyError(name + ": mask dtype '" + header.dtype +
                   "' is not supported (use bool, int8/uint8, int32/int64 or float32/float64, little-endian); " + kFix);
  if (header.fortran_order) throw NpyError(name + ": mask is in Fortran order; " + kFix);
  if (header.shape != expected_shape)
    throw NpyError(name + ": mask shape " + shape_text(header.shape) + " does not match the layer's weight shape " +
                   shape_text(expected_shape) + " (K, C/groups, R, S)");
  std::int64_t count = 1;
  for (const auto d : header.shape) count *= d;
  // The stream is just past the header, at data_offset.
  std::vector<unsigned char> raw(std::size_t(count) * item);
  if (!in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(raw.size())))
    throw NpyError(name + ": file is shorter than its header says (" + std::to_string(count) + " elements)");
  Mask mask(std::size_t(count), 0);
  for (std::int64_t i = 0; i < count; ++i) {
    const unsigned char* bytes = raw.data() + i * item;
    bool nonzero = false;
    if (header.dtype == "<f4") {
      float v;
      std::memcpy(&v, bytes, 4);
      nonzero = v != 0.0f;
    } else if (header.dtype == "<f8") {
      double v;
      std::memcpy(&v, bytes, 8);
      nonzero = v != 0.0;
    } else {
      for (std::size_t b = 0; b < item; ++b) nonzero = nonzero || bytes[b] != 0;
    }
    mask[i] = nonzero ? 1 : 0;
  }
  return mask;
}

std::vector<float> read_npy_values(std::istream& in, const std::string& name,
                                   const std::vector<std::int64_t>& expected_shape, const std::string& what) {
  const NpyHeader header = read_npy_header(in, name);
  if (header.dtype != "<f4" && header.dtype != "<f8")
    throw NpyError(name + ": " + what + " dtype '" + header.dtype +
                   "' is not supported (use float32 or float64, little-endian); re-save with "
                   "numpy.save(path, array.astype(numpy.float32))");
  if (header.fortran_order)
    throw NpyError(name + ": " + what +
                   " is in Fortran order; re-save with numpy.save(path, numpy.ascontiguousarray(a))");
  if (header.shape != expected_shape)
    throw NpyError(name + ": " + what + " shape " + shape_text(header.shape) + " does not match the expected " +
                   shape_text(expected_shape));
  std::int64_t count = 1;
  for (const auto d : header.shape) count *= d;
  const std::size_t item = header.dtype == "<f4" ? 4 : 8;
  std::vector<unsigned char> raw(std::size_t(count) * item);
  if (!in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(raw.size())))
    throw NpyError(name + ": file is shorter than its header says (" + std::to_string(count) + " elements)");
  std::vector<float> values(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    double v;
    if (item == 4) {
      float f;
      std::memcpy(&f, raw.data() + i * 4, 4);
      v = f;
    } else {
      std::memcpy(&v, raw.data() + i * 8, 8);
    }
    if (!std::isfinite(v) || std::abs(v) > 3.0e38)
      throw NpyError(name + ": " + what + " element " + std::to_string(i) + " is " + std::to_string(v) +
                     ", not a finite float32; fix the file");
    values[std::size_t(i)] = float(v);
  }
  return values;
}

std::vector<float> load_npy_values(const std::filesystem::path& path, const std::vector<std::int64_t>& expected_shape,
                                   const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw NpyError(path.string() + ": cannot open the " + what + " file");
  return read_npy_values(in, path.string(), expected_shape, what);
}

}  // namespace scb
