#pragma once
// Writes small .npy files (format 1.0, C order) for tests of the readers.
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace scb::testing_support {

// `descr` is numpy's dtype string ("|u1", "<f4", ...); `element(i, out)` writes element i's bytes.
template <typename WriteElement>
void write_npy_file(const std::filesystem::path& path, const std::string& descr, const std::vector<int>& shape,
                    WriteElement element) {
  std::string dims;
  std::size_t count = 1;
  for (const int d : shape) {
    dims += std::to_string(d) + ", ";
    count *= std::size_t(d);
  }
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  header.resize(((header.size() + 11 + 63) / 64) * 64 - 11, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const char length[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
  out.write(length, 2);
  out << header;
  for (std::size_t i = 0; i < count; ++i) element(i, out);
}

}  // namespace scb::testing_support
