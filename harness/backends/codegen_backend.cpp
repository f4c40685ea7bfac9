// Sparsity-aware code generation (Dong et al. 2020; SparseRT's idea): prepare writes one PTX kernel entry
// per block of output channels with the layer's nonzero weights as FFMA immediates and the input offsets as
// immediate displacements (kernels/codegen/), compiles them in parallel with nvJitLink through an on-disk
// cubin cache, and loads them. The timed op copies the input into a zero-bordered buffer (border: pad; the
// loads then need no predicates) and launches every block's kernel, several streams side by side. One
// thread per output pixel.
//
// dual_sparse is the same generator skipping zero activations as well, where a GPU can skip them without
// divergence: whole channels of an image (dead after ReLU in deep layers). The timed op first marks each
// image's live channels (kernels/channel_liveness), and the generated code branches over the taps of every
// dead channel. Work: nonzero weights x live channels x pixels, against nonzero weights x pixels for codegen.
#include <thread>

#include "harness/backends/backend.hpp"
#include "harness/backends/codegen_auto_rules.hpp"
#include "harness/backends/kernel_types.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/gpu/gpu_context.hpp"
#include "kernels/codegen/compiler.hpp"
#include "kernels/codegen/loaded_kernels.hpp"
#include "kernels/codegen/program.hpp"
#include "kernels/codegen/ptx.hpp"
#include "kernels/channel_liveness.hpp"
#include "kernels/pad.hpp"

namespace scb {

namespace {

// Above this many FFMAs in one block's kernel, compile time and code size stop paying (issue 17 measured
// 4.5 s of ptxas for 29.5K): the block is refused, and fewer channels per block is the fix.
constexpr long long kMaxNonzerosPerBlock = 65536;

// What a case asks of the generator (its params, parsed).
struct CodegenSettings {
  int channels, threads, split, registers, streams;  // registers: .maxnreg, 0 for ptxas' own choice
  int barrier_taps;                                  // bar.sync every this many taps, 0 for none
  kernels::codegen::Border border;
  bool skip_dead_channels;  // dual_sparse
};

// A fused pool whose window the generated code loops over (not spread over lanes) keeps a running max per
// channel beside each accumulator.
bool pools_by_loop(const Case& c) {
  return c.fuse == Fuse::pool && c.layer.pool && kernels::codegen::pool_window_lanes(c.layer.pool->size) == 0;
}

// param registers: "auto" leaves 32 registers beyond the accumulators (64 at 32 channels: 8 blocks of 128
// threads per SM, no spills at VGG-19 conv4_2's 15K-nonzero blocks), "255" sets no limit.
int register_limit(const std::string& value, int channels, bool pool_loop) {
  const int accumulators = pool_loop ? 2 * channels : channels;
  if (value == "auto") return std::min(255, (accumulators + 32 + 7) / 8 * 8);
  return value == "255" ? 0 : std::stoi(value);
}

class CodegenOp final : public PreparedOp {
 public:
  CodegenOp(const Case& c, const DeviceProblem& data, const CodegenSettings& settings,
            const kernels::codegen::CompileTarget& target)
      : data_(data),
        threads_(settings.threads),
        output_bytes_(settings.split > 1 ? std::size_t(c.output_count()) * sizeof(float) : 0) {
    const int channels = settings.channels, split = settings.split;
    const std::string& arch = target.arch;
    const kernels::ElementType element = element_type(c.precision);
    const auto shape = conv_shape(c);
    pixels_ = unsigned(c.batch) * unsigned(shape.P) * unsigned(shape.Q);
    element_bytes_ = kernels::element_bytes(element);
    if (settings.border == kernels::codegen::Border::padded && (shape.pad_h > 0 || shape.pad_w > 0)) {
      pad_ = {(long long)shape.N * shape.C, shape.H, shape.W, shape.pad_h, shape.pad_w};
      padded_ = DeviceBuffer(std::size_t(pad_.planes) * std::size_t(pad_.padded_height()) *
                             std::size_t(pad_.padded_width()) * std::size_t(element_bytes_));
    }
    const auto programs = kernels::codegen::build_programs(shape, data.host.weights.data(), channels, settings.border);
    kernels::codegen::PtxOptions options;
    options.arch = arch;
    options.threads = threads_;
    options.element = element;
    options.accumulate = split > 1;
    options.max_registers = settings.registers;
    options.skip_dead_channels = settings.skip_dead_channels;
    options.barrier_taps = settings.barrier_taps;
    if (c.fuse == Fuse::pool) {  // a thread per window position (lanes), or per pooled output (the loop)
      const PoolShape& pool = *c.layer.pool;
      options.pool = kernels::PoolGeometry{pool.size, pool.stride, pool.pad, c.output_height(), c.output_width()};
      const int lanes = kernels::codegen::pool_window_lanes(pool.size);
      pixels_ =
          unsigned(c.batch) * unsigned(c.output_height()) * unsigned(c.output_width()) * unsigned(std::max(lanes, 1));
    }
    if (settings.skip_dead_channels) {
      live_ = DeviceBuffer(sizeof(unsigned) * std::size_t(shape.N) * std::size_t(kernels::liveness_words(shape.C)));
      plane_ = (long long)shape.H * shape.W;
      images_ = shape.N;
      input_channels_ = shape.C;
    }
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
        ptx.push_back(kernels::codegen::emit_ptx(shape, parts[part], entries.back(), options));
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
    kernels_ = std::make_unique<kernels::codegen::LoadedKernels>(cubins, entries, settings.streams);
    details_ = {{"blocks", programs.size()},
                {"kernels", entries.size()},
                {"split", split},
                {"channels_per_block", channels},
                {"threads", threads_},
                {"barrier_taps", settings.barrier_taps},
                {"streams", settings.streams},
                {"register_limit", settings.registers},
                {"padded_input_bytes", padded_.bytes()},
                {"skips_dead_channels", settings.skip_dead_channels},
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
    const void* input = data_.input;
    const unsigned* live = nullptr;
    if (live_.bytes()) {  // every run: which channels are live depends on the input
      SCB_CUDA(kernels::find_live_channels(data_.input, live_.as<unsigned>(), images_, input_channels_, plane_,
                                           element_bytes_, stream));
      live = live_.as<unsigned>();
    }
    if (padded_.bytes()) {  // every run: the copy is part of the op
      // The kernels skip dead planes, so the copy does too.
      SCB_CUDA(kernels::pad_planes(data_.input, padded_.get(), pad_, element_bytes_, stream, live, input_channels_));
      input = padded_.get();
    }
    SCB_CUDA(kernels_->launch_all(input, data_.output, pixels_, threads_, stream, live));
  }

  nlohmann::json details() const override { return details_; }

 private:
  DeviceProblem data_;
  int threads_;
  std::size_t output_bytes_;  // > 0: split taps, the output is zeroed and added into
  unsigned pixels_ = 0;
  int element_bytes_ = 4;
  kernels::PadShape pad_{};
  DeviceBuffer padded_;  // the zero-bordered input (border: pad on a padded layer); empty otherwise
  DeviceBuffer live_;    // dual_sparse: each image's live-channel bits; empty otherwise
  long long plane_ = 0;
  int images_ = 0, input_channels_ = 0;
  std::unique_ptr<kernels::codegen::LoadedKernels> kernels_;
  nlohmann::json details_;
};

class CodegenBackend final : public Backend {
 public:
  explicit CodegenBackend(bool skip_dead_channels) : skip_dead_channels_(skip_dead_channels) {}
  std::string name() const override { return skip_dead_channels_ ? "dual_sparse" : "codegen"; }
  std::string summary() const override {
    if (skip_dead_channels_)
      return "our dual-sparse conv: codegen's kernels (nonzero weights as FFMA immediates) that also skip the "
             "channels of each image whose activations are all zero, found each run; fp32, fp16/bf16 storage";
    return "our generated sparse conv: one PTX kernel per block of output channels with the nonzero weights as "
           "FFMA immediates and immediate input offsets into a zero-bordered copy of the input, compiled with "
           "nvJitLink (cached cubins), the blocks' kernels side by side on several streams; one thread per output "
           "pixel; fp32, or fp16/bf16 storage with FP32 accumulation";
  }
  // ReLU and the layer's max-pool fused into the generated kernels (fuse: pool).
  bool fuses_pool() const override { return true; }
  std::vector<ParamDef> params() const override {
    return {{"channels", {"32", "8", "16", "64"}, "output channels per generated kernel (accumulators per thread)"},
            {"threads",
             {"auto", "128", "64", "256", "512", "1024"},
             "threads per block, one output pixel each; warps of one block run one instruction stream. auto: 512 "
             "or 256 where the pixels still give every SM two blocks and two fit its registers, else 128"},
            {"ptxas", {"3", "1"}, "ptxas optimisation level: 1 compiles straight-line code in about half the time"},
            {"split",
             {"1", "2", "4", "8"},
             "kernels per block of channels, each a share of its taps adding into the output (fp32 only): more "
             "blocks where N x P x Q alone leaves the GPU idle, as at N = 1"},
            {"streams",
             {"8", "1", "4", "16"},
             "the blocks' kernels run this many at a time: one block alone has N x P x Q threads, too few to fill "
             "the GPU"},
            {"border",
             {"pad", "predicate"},
             "pad: copy the input into a zero-bordered buffer each run and load without checks; predicate: read "
             "the input itself, each load predicated on its row and column (about 30% more instructions)"},
            {"barrier",
             {"auto", "0", "32", "128"},
             "a block-wide barrier every this many taps (0: none), pulling the block's warps together so that one "
             "instruction fetch serves them all; not with fuse: pool. auto: 32 for dual_sparse without a fused "
             "pool, else 0"},
            {"registers",
             {"auto", "255", "48", "96"},
             "registers per thread (.maxnreg): auto leaves 32 beyond the channels' accumulators; 255 sets no limit "
             "(nvJitLink then gives the straight-line kernels all 255, and few warps fit an SM)"}};
  }
  std::optional<Unsupported> unsupported(const Case& c) const override {
    if (c.layout != Layout::nchw) return Unsupported{"layout", name() + " reads NCHW input only"};
    if (c.precision == Precision::tf32)
      return Unsupported{"precision", name() + " computes in FP32 on CUDA cores: use precision fp32"};
    if (param(c, "split") != "1" && c.precision != Precision::fp32)
      return Unsupported{"precision", "param split > 1 adds partial sums with FP32 atomics: it needs precision fp32"};
    const bool fused = c.fuse == Fuse::pool;
    const int channels = std::stoi(param(c, "channels")),
              registers = register_limit(param(c, "registers"), channels, pools_by_loop(c));
    const int accumulators = pools_by_loop(c) ? 2 * channels : channels;
    if (registers > 0 && registers < accumulators + 16)
      return Unsupported{"backend", "param registers (" + std::to_string(registers) + ") leaves fewer than 16 beyond " +
                                        std::to_string(accumulators) + " accumulators: use registers auto or 255"};
    const int threads = param(c, "threads") == "auto" ? 128 : std::stoi(param(c, "threads"));  // auto fits
    if (registers > 0 && threads * registers > 65536)
      return Unsupported{"backend", "param threads (" + std::to_string(threads) + ") x registers (" +
                                        std::to_string(registers) +
                                        ") exceeds an SM's 65536 registers: use fewer threads or channels"};
    if (fused && param(c, "barrier") != "0" && param(c, "barrier") != "auto")
      return Unsupported{"fuse",
                         "param barrier needs every thread in the generated body; a fused pool skips it "
                         "for windows outside the map: use barrier 0 or auto"};
    if (fused && param(c, "split") != "1")
      return Unsupported{"fuse", "param split > 1 adds partial sums, which cannot be pooled: use split 1"};
    const long long pixels = (long long)c.batch * c.layer.P() * c.layer.Q();
    if (pixels > 0xffffffffLL) return Unsupported{"batch", name() + " numbers output pixels in 32 bits"};
    const int size = c.precision == Precision::fp32 ? 4 : 2;
    const int borders = param(c, "border") == "pad" ? 2 : 0;  // padded planes are what the offsets address
    const long long image_bytes =
        (long long)c.layer.C * (c.layer.H + borders * c.layer.pad_h) * (c.layer.W + borders * c.layer.pad_w) * size;
    const long long out_image_bytes = (long long)c.layer.K * c.layer.P() * c.layer.Q() * size;
    if (image_bytes > INT32_MAX || out_image_bytes > INT32_MAX)
      return Unsupported{"layer", name() + "'s immediate offsets address at most 2 GiB of one image"};
    return std::nullopt;
  }
  std::unique_ptr<PreparedOp> prepare(GpuContext& gpu, const Case& c, const DeviceProblem& data) const override {
    const auto& p = gpu.properties();
    const kernels::codegen::CompileTarget target{"sm_" + std::to_string(p.major * 10 + p.minor),
                                                 std::stoi(param(c, "ptxas"))};
    return std::make_unique<CodegenOp>(c, data, settings_of(c, p.multiProcessorCount), target);
  }

 private:
  CodegenSettings settings_of(const Case& c, int sm_count) const {
    const int channels = std::stoi(param(c, "channels")), split = std::stoi(param(c, "split")),
              streams = std::stoi(param(c, "streams"));
    const int registers = register_limit(param(c, "registers"), channels, pools_by_loop(c));
    return {channels,
            codegen_threads(c, param(c, "threads"), registers, channels, split, streams, sm_count),
            split,
            registers,
            streams,
            codegen_barrier_taps(c, param(c, "barrier"), skip_dead_channels_),
            param(c, "border") == "pad" ? kernels::codegen::Border::padded : kernels::codegen::Border::predicated,
            skip_dead_channels_};
  }
  bool skip_dead_channels_;
};

}  // namespace

std::unique_ptr<Backend> make_codegen_backend() { return std::make_unique<CodegenBackend>(false); }
std::unique_ptr<Backend> make_dual_sparse_backend() { return std::make_unique<CodegenBackend>(true); }

}  // namespace scb
