// Sparsity-aware code generation (Dong et al. 2020; SparseRT's idea): prepare writes one PTX kernel entry
// per block of output channels with the layer's nonzero weights as FFMA immediates and the input offsets as
// immediate displacements (kernels/codegen/), compiles them in parallel with nvJitLink through an on-disk
// cubin cache, and loads them; the timed op launches every block's kernel. One thread per output pixel.
#include <thread>

#include "harness/backends/backend.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "kernels/codegen/compiler.hpp"
#include "kernels/codegen/loaded_kernels.hpp"
#include "kernels/codegen/program.hpp"
#include "kernels/codegen/ptx.hpp"

namespace scb {

namespace {

// Above this many FFMAs in one block's kernel, compile time and code size stop paying (issue 17 measured
// 4.5 s of ptxas for 29.5K): the block is refused, and fewer channels per block is the fix.
constexpr long long kMaxNonzerosPerBlock = 65536;

class CodegenOp final : public PreparedOp {
 public:
  CodegenOp(const Case& c, const DeviceProblem& data, int channels, int threads, int split,
            const kernels::codegen::CompileTarget& target)
      : data_(data), threads_(threads), output_bytes_(split > 1 ? std::size_t(c.output_count()) * sizeof(float) : 0) {
    const std::string& arch = target.arch;
    const auto element = c.precision == Precision::fp16   ? kernels::codegen::Element::f16
                         : c.precision == Precision::bf16 ? kernels::codegen::Element::bf16
                                                          : kernels::codegen::Element::f32;
    const auto shape = conv_shape(c);
    pixels_ = unsigned(c.batch) * unsigned(shape.P) * unsigned(shape.Q);
    const auto programs = kernels::codegen::build_programs(shape, data.host.weights.data(), channels);
    std::vector<std::string> ptx, entries;
    long long nonzeros = 0, taps = 0, largest = 0;
    std::size_t ptx_bytes = 0;
    for (std::size_t i = 0; i < programs.size(); ++i) {
      const long long block_nonzeros = programs[i].nonzeros();
      if (block_nonzeros > kMaxNonzerosPerBlock)
        throw std::runtime_error("codegen: block " + std::to_string(i) + " has " + std::to_string(block_nonzeros) +
                                 " nonzeros, over " + std::to_string(kMaxNonzerosPerBlock) +
                                 " per generated kernel: use fewer channels (param channels)");
      // split > 1: the block's taps in parts, each its own kernel adding into the zeroed output.
      const auto parts = split > 1 ? kernels::codegen::split_taps(programs[i], split)
                                   : std::vector<kernels::codegen::BlockProgram>{programs[i]};
      for (std::size_t part = 0; part < parts.size(); ++part) {
        entries.push_back("codegen_block" + std::to_string(i) + "_" + std::to_string(part));
        ptx.push_back(
            kernels::codegen::emit_ptx(shape, parts[part], entries.back(), {arch, threads, element, split > 1}));
        ptx_bytes += ptx.back().size();
      }
      nonzeros += block_nonzeros;
      taps += (long long)programs[i].taps.size();
      largest = std::max(largest, block_nonzeros);
    }
    const std::string cache_dir = kernels::codegen::default_cubin_cache_dir();
    auto modules = kernels::codegen::compile_modules(ptx, target, cache_dir, std::thread::hardware_concurrency());
    std::vector<std::vector<char>> cubins;
    double compile_ms = 0.0;
    std::size_t cached = 0, cubin_bytes = 0;
    for (auto& module : modules) {
      compile_ms += module.compile_ms;
      cached += module.from_cache;
      cubin_bytes += module.cubin.size();
      cubins.push_back(std::move(module.cubin));
    }
    kernels_ = std::make_unique<kernels::codegen::LoadedKernels>(cubins, entries);
    details_ = {{"blocks", programs.size()},
                {"kernels", entries.size()},
                {"split", split},
                {"channels_per_block", channels},
                {"threads", threads},
                {"arch", arch},
                {"ptxas_optimization", target.optimization},
                {"nonzeros", nonzeros},
                {"loaded_taps", taps},
                {"largest_block_nonzeros", largest},
                {"ptx_bytes", ptx_bytes},
                {"cubin_bytes", cubin_bytes},
                {"compile_ms", compile_ms},
                {"modules_from_cache", cached},
                {"cache_dir", cache_dir},
                {"registers", programs.empty() ? 0 : kernels_->registers(0)}};
  }

  void run(cudaStream_t stream) override {
    if (output_bytes_) SCB_CUDA(cudaMemsetAsync(data_.output, 0, output_bytes_, stream));  // parts add into it
    SCB_CUDA(kernels_->launch_all(data_.input, data_.output, pixels_, threads_, stream));
  }

  nlohmann::json details() const override { return details_; }

 private:
  DeviceProblem data_;
  int threads_;
  std::size_t output_bytes_;  // > 0: split taps, the output is zeroed and added into
  unsigned pixels_ = 0;
  std::unique_ptr<kernels::codegen::LoadedKernels> kernels_;
  nlohmann::json details_;
};

class CodegenBackend final : public Backend {
 public:
  std::string name() const override { return "codegen"; }
  std::string summary() const override {
    return "our generated sparse conv: one PTX kernel per block of output channels with the nonzero weights as "
           "FFMA immediates and immediate input offsets, compiled with nvJitLink (cached cubins); one thread per "
           "output pixel; fp32, or fp16/bf16 storage with FP32 accumulation";
  }
  std::vector<ParamDef> params() const override {
    return {{"channels", {"32", "8", "16", "64"}, "output channels per generated kernel (accumulators per thread)"},
            {"threads", {"128", "64", "256"}, "threads per block, one output pixel each"},
            {"ptxas", {"3", "1"}, "ptxas optimisation level: 1 compiles straight-line code in about half the time"},
            {"split",
             {"1", "2", "4", "8"},
             "kernels per block of channels, each a share of its taps adding into the output (fp32 only): more "
             "blocks where N x P x Q alone leaves the GPU idle, as at N = 1"}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout != Layout::nchw) return Unsupported{"layout", "codegen reads NCHW input only"};
    if (c.precision == Precision::tf32)
      return Unsupported{"precision", "codegen computes in FP32 on CUDA cores: use precision fp32"};
    if (param(c, "split") != "1" && c.precision != Precision::fp32)
      return Unsupported{"precision", "param split > 1 adds partial sums with FP32 atomics: it needs precision fp32"};
    const long long pixels = (long long)c.batch * c.layer.P() * c.layer.Q();
    if (pixels > 0xffffffffLL) return Unsupported{"batch", "codegen numbers output pixels in 32 bits"};
    const int size = c.precision == Precision::fp32 ? 4 : 2;
    const long long image_bytes = (long long)c.layer.C * c.layer.H * c.layer.W * size;
    const long long out_image_bytes = (long long)c.layer.K * c.layer.P() * c.layer.Q() * size;
    if (image_bytes > INT32_MAX || out_image_bytes > INT32_MAX)
      return Unsupported{"layer", "codegen's immediate offsets address at most 2 GiB of one image"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    const auto& p = gpu.properties();
    const kernels::codegen::CompileTarget target{"sm_" + std::to_string(p.major * 10 + p.minor),
                                                 std::stoi(param(c, "ptxas"))};
    return std::make_unique<CodegenOp>(c, data, std::stoi(param(c, "channels")), std::stoi(param(c, "threads")),
                                       std::stoi(param(c, "split")), target);
  }
};

}  // namespace

std::unique_ptr<Backend> make_codegen_backend() { return std::make_unique<CodegenBackend>(); }

}  // namespace scb
