#pragma once
// Sparse storage formats of a row-major weight matrix (K/groups rows x C/groups*R*S columns).
// Values stay float here; backends encode them to their storage type.
#include <cstdint>
#include <vector>

namespace scb {

struct CsrMatrix {
  int rows = 0, cols = 0;
  std::vector<int> row_offsets;  // rows + 1 entries
  std::vector<int> col_indices;
  std::vector<float> values;
  std::int64_t nnz() const { return std::int64_t(values.size()); }
};

// Blocked-ELL: every block row holds the same number of b x b blocks (padded with column -1);
// values are row-major, rows x ell_cols.
struct BlockedEllMatrix {
  int rows = 0, cols = 0, block = 0;
  int ell_cols = 0;                    // blocks per block row x block
  std::vector<int> block_col_indices;  // (rows / block) x (ell_cols / block), -1 = empty
  std::vector<float> values;
};

// Where a weight's input sits in a stretched input buffer (Escort / SkimCaffe "stretched CSR"):
// column (c*R + r)*S + s of a KCRS weight row becomes (c % chunk_channels)*channel_pitch +
// r*dilation_h*row_pitch + s*dilation_w*column_pitch (chunk_channels 0: no chunks).
struct StretchGeometry {
  int R = 1, S = 1;
  long long channel_pitch = 0, row_pitch = 0, column_pitch = 1;
  int dilation_h = 1, dilation_w = 1;
  int chunk_channels = 0;
};
long long stretched_offset(int column, const StretchGeometry& g);

// Nonzero entries of `dense` (row-major rows x cols) in CSR.
CsrMatrix to_csr(const float* dense, int rows, int cols);
// Blocks holding any nonzero become ELL blocks; rows and cols must be multiples of `block`.
BlockedEllMatrix to_blocked_ell(const float* dense, int rows, int cols, int block);

}  // namespace scb
