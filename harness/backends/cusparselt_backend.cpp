// cuSPARSELt 2:4 structured sparsity on the sparse tensor cores, with our im2col lowering.
// D (K x N*P*Q, column-major) = A (K x C*R*S, 2:4 along C*R*S) x B (pixel-major columns); then a
// transpose to NCHW. Prepare builds the plan, checks the weights are 2:4 (cusparseLtSpMMAPruneCheck),
// compresses them and picks the fastest kernel with cusparseLtMatmulSearch.
// Dimensions are padded to multiples of 16 with zeros where that keeps the data contiguous.
#include <cusparseLt.h>

#include "harness/backends/backend.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/device.hpp"
#include "kernels/im2col.hpp"

namespace scb {

namespace {

#define SCB_CUSPARSELT(call)                                                                        \
  do {                                                                                              \
    const cusparseStatus_t scb_status_ = (call);                                                    \
    if (scb_status_ != CUSPARSE_STATUS_SUCCESS)                                                     \
      throw BackendError(std::string(#call) + " failed: " + cusparseLtGetErrorString(scb_status_)); \
  } while (0)

constexpr long long kAlign = 16;
long long round_up(long long value, long long multiple) { return (value + multiple - 1) / multiple * multiple; }

// The padded GEMM of one case: groups > 1 need unpadded, aligned group slices.
struct LtShape {
  long long rows_per_group;  // Kg, padded when groups == 1
  long long depth;           // L = C/g*R*S, padded when groups == 1
  long long column_stride;   // leading dimension of the pixel-major columns (>= C*R*S)
  long long output_stride;   // leading dimension of D (>= K)
  long long pixels;          // N*P*Q, padded
};

LtShape lt_shape(const Layer& l, int batch) {
  const bool single = l.groups == 1;
  const long long crs = (long long)l.C * l.R * l.S;
  return {single ? round_up(l.K, kAlign) : l.outputs_per_group(), single ? round_up(crs, kAlign) : l.reduction_length(),
          round_up(crs, kAlign), single ? round_up(l.K, kAlign) : l.K,
          round_up((long long)batch * l.P() * l.Q(), kAlign)};
}

struct LtGroup {
  cusparseLtMatDescriptor_t a{}, b{}, d{};
  cusparseLtMatmulDescriptor_t matmul{};
  cusparseLtMatmulAlgSelection_t selection{};
  cusparseLtMatmulPlan_t plan{};
  bool has_plan = false, has_selection = false, has_descriptors = false;
  DeviceBuffer compressed, workspace;
  int algorithm_id = -1;
};

class CusparseLtOp final : public PreparedOp {
 public:
  CusparseLtOp(const Case& c, const DeviceProblem& data) : data_(data), layer_(c.layer), batch_(c.batch) {
    SCB_CUSPARSELT(cusparseLtInit(&handle_));
    const Layer& l = c.layer;
    shape_ = lt_shape(l, c.batch);
    im2col_ = {c.batch, l.C,        l.H,        l.W,     l.R,     l.S,          l.P(),
               l.Q(),   l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.dilation_h, l.dilation_w};
    type_ = c.precision == Precision::bf16 ? CUDA_R_16BF : CUDA_R_16F;
    const std::size_t element = 2;
    columns_ = DeviceBuffer(std::size_t(shape_.pixels * shape_.column_stride) * element);
    scratch_ = DeviceBuffer(std::size_t(shape_.pixels * shape_.output_stride) * element);
    // Padding rows and columns stay zero: im2col writes only the real entries.
    SCB_CUDA(cudaMemset(columns_.get(), 0, columns_.bytes()));
    groups_.resize(std::size_t(l.groups));
    for (int g = 0; g < l.groups; ++g) build_group(g, c, data);
    details_["padded_gemm"] = {
        {"m_rows_per_group", shape_.rows_per_group}, {"k_depth", shape_.depth}, {"n_pixels", shape_.pixels}};
    details_["cusparselt_version"] = CUSPARSELT_VERSION;
  }

  ~CusparseLtOp() override {
    for (auto& g : groups_) {
      if (g.has_plan) cusparseLtMatmulPlanDestroy(&g.plan);
      if (g.has_selection) cusparseLtMatmulAlgSelectionDestroy(&g.selection);
      if (g.has_descriptors) {
        cusparseLtMatDescriptorDestroy(&g.a);
        cusparseLtMatDescriptorDestroy(&g.b);
        cusparseLtMatDescriptorDestroy(&g.d);
      }
    }
    cusparseLtDestroy(&handle_);
  }

  void run(cudaStream_t stream) override {
    if (type_ == CUDA_R_16BF)
      lower<__nv_bfloat16>(stream);
    else
      lower<__half>(stream);
    const float alpha = 1.0f, beta = 0.0f;
    for (int g = 0; g < layer_.groups; ++g) {
      LtGroup& group = groups_[g];
      void* d = group_output(g);
      SCB_CUSPARSELT(cusparseLtMatmul(&handle_, &group.plan, &alpha, group.compressed.get(), group_columns(g), &beta, d,
                                      d, group.workspace.get(), &stream, 1));
    }
    const int PQ = layer_.P() * layer_.Q();
    if (type_ == CUDA_R_16BF)
      SCB_CUDA(kernels::pixel_major_to_nchw(scratch_.as<__nv_bfloat16>(), static_cast<__nv_bfloat16*>(data_.output),
                                            batch_, layer_.K, PQ, int(shape_.output_stride), stream));
    else
      SCB_CUDA(kernels::pixel_major_to_nchw(scratch_.as<__half>(), static_cast<__half*>(data_.output), batch_, layer_.K,
                                            PQ, int(shape_.output_stride), stream));
  }

  nlohmann::json details() const override { return details_; }

 private:
  void* group_columns(int g) const { return static_cast<char*>(columns_.get()) + g * layer_.reduction_length() * 2; }
  void* group_output(int g) const { return static_cast<char*>(scratch_.get()) + g * layer_.outputs_per_group() * 2; }

  template <class T>
  void lower(cudaStream_t stream) {
    SCB_CUDA(kernels::im2col_nchw_pixel_major(static_cast<const T*>(data_.input), columns_.as<T>(), im2col_,
                                              shape_.column_stride, stream));
  }

  void build_group(int g, const Case& c, const DeviceProblem& data) {
    LtGroup& group = groups_[g];
    const Layer& l = c.layer;
    const long long m = shape_.rows_per_group, k = shape_.depth, n = shape_.pixels;
    SCB_CUSPARSELT(cusparseLtStructuredDescriptorInit(&handle_, &group.a, m, k, k, kAlign, type_, CUSPARSE_ORDER_ROW,
                                                      CUSPARSELT_SPARSITY_50_PERCENT));
    SCB_CUSPARSELT(cusparseLtDenseDescriptorInit(&handle_, &group.b, k, n, shape_.column_stride, kAlign, type_,
                                                 CUSPARSE_ORDER_COL));
    SCB_CUSPARSELT(cusparseLtDenseDescriptorInit(&handle_, &group.d, m, n, shape_.output_stride, kAlign, type_,
                                                 CUSPARSE_ORDER_COL));
    group.has_descriptors = true;
    SCB_CUSPARSELT(cusparseLtMatmulDescriptorInit(&handle_, &group.matmul, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                                  CUSPARSE_OPERATION_NON_TRANSPOSE, &group.a, &group.b, &group.d,
                                                  &group.d, CUSPARSE_COMPUTE_32F));
    SCB_CUSPARSELT(
        cusparseLtMatmulAlgSelectionInit(&handle_, &group.selection, &group.matmul, CUSPARSELT_MATMUL_ALG_DEFAULT));
    group.has_selection = true;
    SCB_CUSPARSELT(cusparseLtMatmulPlanInit(&handle_, &group.plan, &group.matmul, &group.selection));
    group.has_plan = true;

    // The group's weights as a dense, zero-padded m x k row-major matrix in the storage type.
    const long long L = l.reduction_length(), Kg = l.outputs_per_group();
    std::vector<float> dense(std::size_t(m * k), 0.0f);
    for (long long r = 0; r < Kg; ++r)
      for (long long col = 0; col < L; ++col) dense[r * k + col] = data.host.weights[(g * Kg + r) * L + col];
    const auto bytes = encode_values(dense, storage_of(c.precision));
    DeviceBuffer d_dense(bytes.size());
    SCB_CUDA(cudaMemcpy(d_dense.get(), bytes.data(), bytes.size(), cudaMemcpyHostToDevice));
    DeviceBuffer d_valid(sizeof(int));
    SCB_CUDA(cudaMemset(d_valid.get(), 0, sizeof(int)));  // the check only writes when it finds a violation
    SCB_CUSPARSELT(cusparseLtSpMMAPruneCheck(&handle_, &group.matmul, d_dense.get(), d_valid.as<int>(), nullptr));
    int valid = 1;
    SCB_CUDA(cudaMemcpy(&valid, d_valid.get(), sizeof valid, cudaMemcpyDeviceToHost));
    if (valid != 0) throw BackendError("the weights are not 2:4 sparse (cusparseLtSpMMAPruneCheck)");

    std::size_t compressed_bytes = 0, compress_buffer_bytes = 0;
    SCB_CUSPARSELT(cusparseLtSpMMACompressedSize(&handle_, &group.plan, &compressed_bytes, &compress_buffer_bytes));
    group.compressed = DeviceBuffer(compressed_bytes);
    DeviceBuffer compress_buffer(compress_buffer_bytes);
    SCB_CUSPARSELT(cusparseLtSpMMACompress(&handle_, &group.plan, d_dense.get(), group.compressed.get(),
                                           compress_buffer.get(), nullptr));
    std::size_t workspace_bytes = 0;
    SCB_CUSPARSELT(cusparseLtMatmulGetWorkspace(&handle_, &group.plan, &workspace_bytes));
    group.workspace = DeviceBuffer(workspace_bytes);

    // Autotune on the real operands (the columns hold zeros now; only the speed is searched).
    const float alpha = 1.0f, beta = 0.0f;
    cudaStream_t stream = nullptr;
    SCB_CUSPARSELT(cusparseLtMatmulSearch(&handle_, &group.plan, &alpha, group.compressed.get(), group_columns(g),
                                          &beta, group_output(g), group_output(g), group.workspace.get(), &stream, 1));
    SCB_CUSPARSELT(cusparseLtMatmulAlgGetAttribute(&handle_, &group.selection, CUSPARSELT_MATMUL_ALG_CONFIG_ID,
                                                   &group.algorithm_id, sizeof group.algorithm_id));
    SCB_CUDA(cudaDeviceSynchronize());
    details_["groups"].push_back({{"algorithm_config_id", group.algorithm_id},
                                  {"compressed_bytes", compressed_bytes},
                                  {"workspace_bytes", workspace_bytes}});
  }

  cusparseLtHandle_t handle_{};
  DeviceProblem data_;
  Layer layer_;
  int batch_;
  LtShape shape_{};
  kernels::Im2colShape im2col_{};
  cudaDataType type_ = CUDA_R_16F;
  DeviceBuffer columns_, scratch_;
  std::vector<LtGroup> groups_;
  nlohmann::json details_ = nlohmann::json::object();
};

class CusparseLtBackend final : public Backend {
 public:
  std::string name() const override { return "cusparselt"; }
  std::string summary() const override {
    return "im2col (ours, pixel-major) + cuSPARSELt 2:4 sparse tensor-core GEMM (fp16, bf16; FP32 accumulate)";
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.mask.kind != MaskKind::nm || c.mask.n > 2 || c.mask.m != 4)
      return Unsupported{"mask", "cusparselt needs a 2:4 mask (mask {kind: nm, n: 2, m: 4}), but this case's mask is " +
                                     c.mask.label()};
    if (c.precision != Precision::fp16 && c.precision != Precision::bf16)
      return Unsupported{"precision", "cusparselt runs precision fp16 and bf16 only"};
    if (c.layout != Layout::nchw) return Unsupported{"layout", "cusparselt lowers NCHW input only"};
    if (c.layer.groups > 1 && (c.layer.outputs_per_group() % kAlign != 0 || c.layer.reduction_length() % kAlign != 0))
      return Unsupported{"layer", "with groups > 1, cusparselt needs K/groups and C/groups*R*S to be multiples of 16"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext&, const Case& c, const DeviceProblem& data) const override {
    return std::make_unique<CusparseLtOp>(c, data);
  }
};

}  // namespace

std::unique_ptr<Backend> make_cusparselt_backend() { return std::make_unique<CusparseLtBackend>(); }

}  // namespace scb
