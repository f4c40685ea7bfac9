// Our direct sparse convolution (kernels/direct_sparse.cu). Prepare resolves the tiling, orders output
// channels by nonzero count and builds the chunked CSR of precomputed shared-memory offsets; the timed
// op is the one kernel.
#include <algorithm>
#include <numeric>

#include "harness/backends/backend.hpp"
#include "harness/backends/direct_sparse_tiling.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/sparsity/formats.hpp"
#include "kernels/direct_sparse.hpp"

namespace scb {

namespace {

constexpr long long kSharedLimit = 227 * 1024;  // the H100's per-block maximum

nlohmann::json tiling_json(const kernels::DirectSparseTiling& t, const kernels::DirectSparseGeometry& g) {
  return {{"pixels", t.pixels},
          {"channels_per_warp", t.channels_per_warp},
          {"tile_w", t.tile_w},
          {"tile_h", g.tile_h},
          {"warps", t.warps},
          {"chunk_channels", t.chunk_channels},
          {"chunks", g.chunks},
          {"splits", t.splits},
          {"shared_bytes", g.shared_bytes},
          {"grid", {g.tiles_x * g.tiles_y, g.channel_blocks}}};
}

class DirectSparseOp final : public PreparedOp {
 public:
  DirectSparseOp(const Case& c, const DeviceProblem& data, kernels::DirectSparseTiling tiling, bool order_by_nnz)
      : data_(data), storage_(storage_of(c.precision)), shape_(conv_shape(c)), tiling_(tiling) {
    const Layer& l = c.layer;
    const auto g = kernels::direct_sparse_geometry(shape_, tiling_);
    StretchGeometry stretch;
    stretch.R = l.R;
    stretch.S = l.S;
    stretch.row_pitch = 1;  // column-major staging
    stretch.column_pitch = g.column_pitch;
    stretch.channel_pitch = g.channel_pitch;
    stretch.dilation_h = l.dilation_h;
    stretch.dilation_w = l.dilation_w;
    stretch.chunk_channels = tiling_.chunk_channels;
    const int outputs = l.outputs_per_group();
    const int rs = l.R * l.S;
    const CsrMatrix csr = to_csr(data.host.weights.data(), l.K, int(l.reduction_length()));
    std::vector<int> order(std::size_t(l.K));
    std::vector<int> chunk_ptr;
    std::vector<kernels::SparseEntry> entries;
    chunk_ptr.reserve(std::size_t(l.K) * (g.chunks + 1));
    entries.reserve(std::size_t(csr.nnz()));
    std::int64_t heaviest = 0, lightest = csr.nnz();
    for (int group = 0; group < l.groups; ++group) {
      int* group_order = order.data() + std::size_t(group) * outputs;
      std::iota(group_order, group_order + outputs, 0);
      const auto nnz = [&](int k) {
        const int row = group * outputs + k;
        return csr.row_offsets[row + 1] - csr.row_offsets[row];
      };
      if (order_by_nnz)
        std::stable_sort(group_order, group_order + outputs, [&](int a, int b) { return nnz(a) > nnz(b); });
      for (int slot = 0; slot < outputs; ++slot) {
        const int row = group * outputs + group_order[slot];
        heaviest = std::max<std::int64_t>(heaviest, nnz(group_order[slot]));
        lightest = std::min<std::int64_t>(lightest, nnz(group_order[slot]));
        int i = csr.row_offsets[row];
        const int end = csr.row_offsets[row + 1];
        for (int chunk = 0; chunk < g.chunks; ++chunk) {
          chunk_ptr.push_back(int(entries.size()));
          const int column_end = (chunk + 1) * tiling_.chunk_channels * rs;  // columns are sorted by channel
          for (; i < end && csr.col_indices[i] < column_end; ++i)
            entries.push_back({csr.values[i], int(sizeof(float) * stretched_offset(csr.col_indices[i], stretch))});
        }
        chunk_ptr.push_back(int(entries.size()));
      }
    }
    order_ = upload(order);
    chunk_ptr_ = upload(chunk_ptr);
    entries_ = upload(entries);
    weights_ = {order_.as<int>(), chunk_ptr_.as<int>(), entries_.as<kernels::SparseEntry>()};
    switch (storage_) {
      case StorageType::fp32:
        SCB_CUDA(kernels::direct_sparse_configure<float>(shape_, tiling_));
        break;
      case StorageType::fp16:
        SCB_CUDA(kernels::direct_sparse_configure<__half>(shape_, tiling_));
        break;
      case StorageType::bf16:
        SCB_CUDA(kernels::direct_sparse_configure<__nv_bfloat16>(shape_, tiling_));
        break;
    }
    details_ = tiling_json(tiling_, g);
    details_["order"] = order_by_nnz ? "by_nnz" : "natural";
    details_["nnz"] = csr.nnz();
    details_["channel_nnz_max"] = heaviest;
    details_["channel_nnz_min"] = lightest;
  }

  void run(cudaStream_t stream) override {
    switch (storage_) {
      case StorageType::fp32:
        launch<float>(stream);
        break;
      case StorageType::fp16:
        launch<__half>(stream);
        break;
      case StorageType::bf16:
        launch<__nv_bfloat16>(stream);
        break;
    }
  }

  nlohmann::json details() const override { return details_; }

 private:
  template <class T>
  void launch(cudaStream_t stream) {
    SCB_CUDA(kernels::direct_sparse_conv<T>(static_cast<const T*>(data_.input), static_cast<T*>(data_.output), shape_,
                                            tiling_, weights_, stream));
  }

  DeviceProblem data_;
  StorageType storage_;
  kernels::DirectSparseShape shape_;
  kernels::DirectSparseTiling tiling_;
  DeviceBuffer order_, chunk_ptr_, entries_;
  kernels::DirectSparseWeights weights_{};
  nlohmann::json details_;
};

class DirectSparseBackend final : public Backend {
 public:
  std::string name() const override { return "direct_sparse"; }
  std::string summary() const override {
    return "our direct sparse conv: shared-memory input halo per channel chunk, chunked CSR with precomputed "
           "offsets, register tile of pixels x channels per lane, channels ordered by nonzeros; fp32/fp16/bf16 "
           "inputs, FP32 accumulate";
  }
  std::vector<ParamDef> params() const override {
    return {{"pixels", {"4", "1", "2", "8"}, "output pixels per lane per channel (rows of the tile)"},
            {"channels_per_warp", {"4", "1", "2", "8"}, "output channels each warp accumulates at once"},
            {"tile_w", {"auto", "8", "16", "32"}, "output tile width; auto = 8, 16 or 32 from the output width"},
            {"warps", {"auto", "1", "2", "4", "8"}, "warps per block; auto = 8, or 4 when 8 leaves too few blocks"},
            {"chunk",
             {"auto", "4", "8", "16", "32", "64"},
             "input channels staged per step; auto = as many as fit in 48 KiB of shared memory, fewer (down to 16) "
             "when a small grid needs more splits"},
            {"order", {"by_nnz", "natural"}, "output channel order: heaviest first (load balance) or as stored"},
            {"split",
             {"auto", "1", "2", "4", "8", "16"},
             "blocks that share one output tile's input channels and add into the output (fp32 only); "
             "auto = split until the grid gives each SM 2 blocks"}};
  }
  std::vector<ParamConstraint> constraints() const override {
    return {{"pixels * channels_per_warp <= 32 (accumulators per lane in the compiled kernels)", [](const auto& value) {
               return std::stoi(value("pixels")) * std::stoi(value("channels_per_warp")) <= 32;
             }}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout != Layout::nchw) return Unsupported{"layout", "direct_sparse reads NCHW input only"};
    if (c.precision == Precision::tf32)
      return Unsupported{"precision", "direct_sparse computes in FP32 on CUDA cores: use precision fp32"};
    if (param(c, "split") != "auto" && param(c, "split") != "1" && c.precision != Precision::fp32)
      return Unsupported{"precision", "param split > 1 adds partial sums with FP32 atomics: it needs precision fp32"};
    if ((long long)c.batch * c.layer.groups > 65535)
      return Unsupported{"batch", "direct_sparse needs batch x groups <= 65535 (grid z)"};
    const auto t = direct_sparse_tiling(*this, c, 0);
    const auto g = kernels::direct_sparse_geometry(conv_shape(c), t);
    if (g.shared_bytes > kSharedLimit)
      return Unsupported{"layer", "the staged input chunk needs " + std::to_string(g.shared_bytes / 1024) +
                                      " KiB of shared memory, over " + std::to_string(kSharedLimit / 1024) +
                                      " KiB: use a smaller chunk, pixels or tile_w"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    const auto tiling = direct_sparse_tiling(*this, c, gpu.properties().multiProcessorCount);
    return std::make_unique<DirectSparseOp>(c, data, tiling, param(c, "order") == "by_nnz");
  }
};

}  // namespace

std::unique_ptr<Backend> make_direct_sparse_backend() { return std::make_unique<DirectSparseBackend>(); }

}  // namespace scb
