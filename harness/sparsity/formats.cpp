#include "harness/sparsity/formats.hpp"

#include <algorithm>
#include <stdexcept>

namespace scb {

CsrMatrix to_csr(const float* dense, int rows, int cols) {
  CsrMatrix csr;
  csr.rows = rows;
  csr.cols = cols;
  csr.row_offsets.reserve(std::size_t(rows) + 1);
  csr.row_offsets.push_back(0);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const float v = dense[std::size_t(r) * cols + c];
      if (v == 0.0f) continue;
      csr.col_indices.push_back(c);
      csr.values.push_back(v);
    }
    csr.row_offsets.push_back(int(csr.values.size()));
  }
  return csr;
}

long long stretched_offset(int column, const StretchGeometry& g) {
  const int s = column % g.S, r = (column / g.S) % g.R;
  int c = column / (g.S * g.R);
  if (g.chunk_channels > 0) c %= g.chunk_channels;
  return c * g.channel_pitch + (long long)r * g.dilation_h * g.row_pitch + (long long)s * g.dilation_w * g.column_pitch;
}

BlockedEllMatrix to_blocked_ell(const float* dense, int rows, int cols, int block) {
  if (block <= 0 || rows % block != 0 || cols % block != 0)
    throw std::invalid_argument("to_blocked_ell: rows and cols must be multiples of the block size");
  const int block_rows = rows / block, block_cols = cols / block;
  std::vector<std::vector<int>> kept(block_rows);
  for (int br = 0; br < block_rows; ++br)
    for (int bc = 0; bc < block_cols; ++bc) {
      bool nonzero = false;
      for (int r = 0; r < block && !nonzero; ++r)
        for (int c = 0; c < block && !nonzero; ++c)
          nonzero = dense[std::size_t(br * block + r) * cols + bc * block + c] != 0.0f;
      if (nonzero) kept[br].push_back(bc);
    }
  std::size_t widest = 0;
  for (const auto& row : kept) widest = std::max(widest, row.size());
  widest = std::max<std::size_t>(widest, 1);  // cuSPARSE needs at least one ELL column
  BlockedEllMatrix ell;
  ell.rows = rows;
  ell.cols = cols;
  ell.block = block;
  ell.ell_cols = int(widest) * block;
  ell.block_col_indices.assign(std::size_t(block_rows) * widest, -1);
  ell.values.assign(std::size_t(rows) * ell.ell_cols, 0.0f);
  for (int br = 0; br < block_rows; ++br)
    for (std::size_t slot = 0; slot < kept[br].size(); ++slot) {
      const int bc = kept[br][slot];
      ell.block_col_indices[std::size_t(br) * widest + slot] = bc;
      for (int r = 0; r < block; ++r)
        for (int c = 0; c < block; ++c)
          ell.values[std::size_t(br * block + r) * ell.ell_cols + slot * block + c] =
              dense[std::size_t(br * block + r) * cols + bc * block + c];
    }
  return ell;
}

}  // namespace scb
