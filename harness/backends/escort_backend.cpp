// Escort/Escoin direct sparse convolution, as the paper built it (kernels/escort.cu): the baseline that
// the paper's 2.63x (vs cuBLAS) and 3.07x (vs cuSPARSE) claims are measured against. Not tuned.
// The padded-input copy is part of the timed op, as in Escoin's forward pass.
#include <algorithm>

#include "harness/backends/backend.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "harness/sparsity/formats.hpp"
#include "kernels/escort.hpp"

namespace scb {

namespace {

class EscortOp final : public PreparedOp {
 public:
  EscortOp(const Case& c, const DeviceProblem& data) : data_(data) {
    const Layer& l = c.layer;
    shape_ = {c.batch, l.C, l.H, l.W, l.K, l.P(), l.Q(), l.groups, l.stride_h, l.stride_w, l.pad_h, l.pad_w};
    StretchGeometry stretch;
    stretch.R = l.R;
    stretch.S = l.S;
    stretch.row_pitch = kernels::escort_row_pitch(shape_);
    stretch.channel_pitch = kernels::escort_channel_pitch(shape_);
    stretch.dilation_h = l.dilation_h;
    stretch.dilation_w = l.dilation_w;
    // One CSR over all K rows: each row's columns are relative to its group's first input channel.
    const CsrMatrix csr = to_csr(data.host.weights.data(), l.K, int(l.reduction_length()));
    std::vector<int> offsets(csr.col_indices.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) offsets[i] = int(stretched_offset(csr.col_indices[i], stretch));
    row_offsets_ = upload(csr.row_offsets);
    offsets_ = upload(offsets);
    values_ = upload(csr.values);
    const std::size_t padded_bytes = std::size_t(c.batch) * kernels::escort_image_length(shape_) * sizeof(float);
    padded_ = DeviceBuffer(padded_bytes);
    SCB_CUDA(cudaMemset(padded_.get(), 0, padded_bytes));  // pads stay zero: run() writes only the interior
    details_ = {{"nnz", csr.nnz()},
                {"padded_input_bytes", padded_bytes},
                {"tile", kernels::escort_tile_width(shape_) == 32 ? "32x8" : "16x16"},
                {"chunk", 1024}};
  }

  void run(cudaStream_t stream) override {
    SCB_CUDA(kernels::escort_pad_input(static_cast<const float*>(data_.input), padded_.as<float>(), shape_, stream));
    SCB_CUDA(kernels::escort_sconv(padded_.as<float>(), row_offsets_.as<int>(), offsets_.as<int>(), values_.as<float>(),
                                   static_cast<float*>(data_.output), shape_, stream));
  }

  nlohmann::json details() const override { return details_; }

 private:
  DeviceProblem data_;
  kernels::EscortShape shape_{};
  DeviceBuffer row_offsets_, offsets_, values_, padded_;
  nlohmann::json details_;
};

class EscortBackend final : public Backend {
 public:
  std::string name() const override { return "escort"; }
  std::string summary() const override {
    return "Escort/Escoin direct sparse conv as published (stretched CSR, padded input, 16x16 tile (32x8 for "
           "27-row inputs) per output channel, one thread per pixel), FP32, untuned baseline";
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.precision != Precision::fp32) return Unsupported{"precision", "escort is FP32 only, as in the paper"};
    if (c.layout != Layout::nchw) return Unsupported{"layout", "escort reads NCHW input only"};
    if (c.layer.K > 65535 || c.batch > 65535)
      return Unsupported{"layer", "escort launches one grid row per output channel: K and N must be <= 65535"};
    const long long padded = (long long)(c.layer.H + c.layer.pad_h) * (c.layer.W + c.layer.pad_w) * c.layer.C;
    if (padded > (1LL << 31) - 1)
      return Unsupported{"layer", "escort's 32-bit stretched offsets cannot address a padded image this large"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<EscortOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_escort_backend() { return std::make_unique<EscortBackend>(); }

}  // namespace scb
