#include "kernels/direct_sparse.hpp"

#include "kernels/element.cuh"

namespace scb::kernels {

namespace {

constexpr int kMaxThreads = 256;
constexpr int kMaxAccumulators = 32;  // pixels x channels_per_warp of the compiled kernels

// n / d for n * d < 2^32 and d >= 2, with m = divisor_magic(d): one multiply-high instead of a division.
__device__ __forceinline__ unsigned divisor_magic(unsigned d) { return 0xFFFFFFFFu / d + 1; }
__device__ __forceinline__ unsigned fast_divide(unsigned n, unsigned magic) { return __umulhi(n, magic); }

// Stages input channels [0, count) of `image` (already offset to the chunk's first channel) into
// `tile`, column-major, zero outside the image. Threads walk the halo in source order (x fastest), all
// lanes busy, so global reads are coalesced. fp32 goes through cp.async (zero-fill by a 0-byte source),
// every copy of the chunk in flight at once; 16-bit inputs are converted to FP32 on the way.
template <class T>
__device__ __forceinline__ void stage_chunk(float* tile, const T* __restrict__ image, int count, int in_y0, int in_x0,
                                            const DirectSparseShape& s, const DirectSparseGeometry& g,
                                            unsigned halo_magic, unsigned width_magic) {
  const unsigned halo = unsigned(g.in_h * g.in_w);
  const unsigned total = halo * unsigned(count);
  for (unsigned index = threadIdx.x; index < total; index += blockDim.x) {
    const unsigned channel = fast_divide(index, halo_magic);
    const unsigned rest = index - channel * halo;
    const unsigned yy = fast_divide(rest, width_magic);
    const unsigned xx = rest - yy * unsigned(g.in_w);
    const int y = in_y0 + int(yy), x = in_x0 + int(xx);
    const bool inside = y >= 0 && y < s.H && x >= 0 && x < s.W;
    const T* src = image + (long long)channel * s.H * s.W + (inside ? (long long)y * s.W + x : 0);
    float* dst = tile + channel * g.channel_pitch + xx * g.column_pitch + yy;
    if constexpr (sizeof(T) == 4) {
      const unsigned dst_shared = static_cast<unsigned>(__cvta_generic_to_shared(dst));
      asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst_shared), "l"(src), "r"(inside ? 4 : 0));
    } else {
      *dst = inside ? to_float(*src) : 0.0f;
    }
  }
  if constexpr (sizeof(T) == 4) asm volatile("cp.async.wait_all;\n" ::);
}

// UNIT_STRIDE: stride_h is 1, so a lane's pixels sit at immediate offsets 0, 1, 2, ... of each column.
template <class T, int PIXELS, int CHANNELS_PER_WARP, bool UNIT_STRIDE>
__global__ void __launch_bounds__(kMaxThreads)
    direct_sparse_kernel(const T* __restrict__ input, T* __restrict__ output, DirectSparseShape s, DirectSparseTiling t,
                         DirectSparseGeometry g, DirectSparseWeights w) {
  extern __shared__ float tile[];
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int tile_y = blockIdx.x / g.tiles_x, tile_x = blockIdx.x - tile_y * g.tiles_x;
  const int split = blockIdx.z % t.splits, image_group = blockIdx.z / t.splits;
  const int n = image_group / s.groups, group = image_group - n * s.groups;
  const int channels = s.C / s.groups, outputs = s.K / s.groups;
  const int lane_x = lane % t.tile_w, lane_y = lane / t.tile_w;
  const int row_step = UNIT_STRIDE ? 1 : s.stride_h;
  // This lane's first pixel in a staged channel; pixel i is i * row_step further down its column.
  const float* lane_tile = tile + lane_x * s.stride_w * g.column_pitch + lane_y * PIXELS * row_step;

  // Slots are dealt round-robin to warps: with slots sorted by nonzeros, warps get equal work.
  int slot[CHANNELS_PER_WARP];
#pragma unroll
  for (int j = 0; j < CHANNELS_PER_WARP; ++j) slot[j] = blockIdx.y * g.block_channels + j * t.warps + warp;

  float acc[CHANNELS_PER_WARP][PIXELS];
#pragma unroll
  for (int j = 0; j < CHANNELS_PER_WARP; ++j)
#pragma unroll
    for (int i = 0; i < PIXELS; ++i) acc[j][i] = 0.0f;

  const T* image = input + ((long long)n * s.C + (long long)group * channels) * s.H * s.W;
  const int in_y0 = tile_y * g.tile_h * s.stride_h - s.pad_h;
  const int in_x0 = tile_x * t.tile_w * s.stride_w - s.pad_w;
  const unsigned halo_magic = divisor_magic(unsigned(g.in_h * g.in_w)), width_magic = divisor_magic(unsigned(g.in_w));
  const int first_chunk = split * g.chunks_per_split, last_chunk = min(g.chunks, first_chunk + g.chunks_per_split);
  for (int chunk = first_chunk; chunk < last_chunk; ++chunk) {
    const int c0 = chunk * t.chunk_channels;
    if (chunk > first_chunk) __syncthreads();  // everyone is done with the previous chunk
    stage_chunk(tile, image + (long long)c0 * s.H * s.W, min(t.chunk_channels, channels - c0), in_y0, in_x0, s, g,
                halo_magic, width_magic);
    __syncthreads();
#pragma unroll
    for (int j = 0; j < CHANNELS_PER_WARP; ++j) {
      if (slot[j] >= outputs) continue;  // warp-uniform
      const int* range = w.chunk_ptr + ((long long)group * outputs + slot[j]) * (g.chunks + 1) + chunk;
      const int begin = range[0], end = range[1];
      // The warp loads 32 entries at once (one coalesced 64-bit load per lane, the next batch in flight
      // while this one runs) and broadcasts them with shuffles: no memory latency per nonzero.
      float2 next = begin + lane < end ? __ldg(reinterpret_cast<const float2*>(w.entries) + begin + lane)
                                       : make_float2(0.0f, 0.0f);
      for (int base = begin; base < end; base += 32) {
        const float2 batch = next;
        if (base + 32 + lane < end) next = __ldg(reinterpret_cast<const float2*>(w.entries) + base + 32 + lane);
        const int count = min(32, end - base);
#pragma unroll 4
        for (int e = 0; e < count; ++e) {
          const float value = __shfl_sync(0xFFFFFFFFu, batch.x, e);
          const int offset_bytes = __shfl_sync(0xFFFFFFFFu, __float_as_int(batch.y), e);
          const float* column = reinterpret_cast<const float*>(reinterpret_cast<const char*>(lane_tile) + offset_bytes);
#pragma unroll
          for (int i = 0; i < PIXELS; ++i) acc[j][i] = fmaf(value, column[i * row_step], acc[j][i]);
        }
      }
    }
  }

  const int x = tile_x * t.tile_w + lane_x;
#pragma unroll
  for (int j = 0; j < CHANNELS_PER_WARP; ++j) {
    if (slot[j] >= outputs || x >= s.Q) continue;
    const int k = group * outputs + w.order[group * outputs + slot[j]];
    T* out = output + ((long long)n * s.K + k) * s.P * s.Q;
#pragma unroll
    for (int i = 0; i < PIXELS; ++i) {
      const int y = tile_y * g.tile_h + lane_y * PIXELS + i;
      if (y >= s.P) continue;
      if constexpr (sizeof(T) == 4) {
        if (t.splits > 1) {
          atomicAdd(reinterpret_cast<float*>(out) + (long long)y * s.Q + x, acc[j][i]);
          continue;
        }
      }
      out[(long long)y * s.Q + x] = from_float<T>(acc[j][i]);
    }
  }
}

template <class T>
using KernelPointer = void (*)(const T*, T*, DirectSparseShape, DirectSparseTiling, DirectSparseGeometry,
                               DirectSparseWeights);

template <class T, int PIXELS, bool UNIT_STRIDE>
KernelPointer<T> pick_channels(int channels_per_warp) {
  switch (channels_per_warp) {
    case 1:
      return direct_sparse_kernel<T, PIXELS, 1, UNIT_STRIDE>;
    case 2:
      return direct_sparse_kernel<T, PIXELS, 2, UNIT_STRIDE>;
    case 4:
      return direct_sparse_kernel<T, PIXELS, 4, UNIT_STRIDE>;
    case 8:
      if constexpr (PIXELS * 8 <= kMaxAccumulators) return direct_sparse_kernel<T, PIXELS, 8, UNIT_STRIDE>;
      return nullptr;
    default:
      return nullptr;
  }
}

template <class T, bool UNIT_STRIDE>
KernelPointer<T> pick_pixels(const DirectSparseTiling& t) {
  switch (t.pixels) {
    case 1:
      return pick_channels<T, 1, UNIT_STRIDE>(t.channels_per_warp);
    case 2:
      return pick_channels<T, 2, UNIT_STRIDE>(t.channels_per_warp);
    case 4:
      return pick_channels<T, 4, UNIT_STRIDE>(t.channels_per_warp);
    case 8:
      return pick_channels<T, 8, UNIT_STRIDE>(t.channels_per_warp);
    default:
      return nullptr;
  }
}

template <class T>
KernelPointer<T> pick_kernel(const DirectSparseShape& s, const DirectSparseTiling& t) {
  return s.stride_h == 1 ? pick_pixels<T, true>(t) : pick_pixels<T, false>(t);
}

template <class T>
bool valid_tiling(const DirectSparseTiling& t) {
  return (t.tile_w == 8 || t.tile_w == 16 || t.tile_w == 32) && t.warps >= 1 && t.warps * 32 <= kMaxThreads &&
         t.chunk_channels >= 1 && t.splits >= 1 && (t.splits == 1 || sizeof(T) == 4);
}

}  // namespace

template <class T>
cudaError_t direct_sparse_configure(const DirectSparseShape& shape, const DirectSparseTiling& tiling) {
  const KernelPointer<T> kernel = pick_kernel<T>(shape, tiling);
  if (!kernel || !valid_tiling<T>(tiling)) return cudaErrorInvalidValue;
  const DirectSparseGeometry g = direct_sparse_geometry(shape, tiling);
  return cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(g.shared_bytes));
}

template <class T>
cudaError_t direct_sparse_conv(const T* input, T* output, const DirectSparseShape& shape,
                               const DirectSparseTiling& tiling, const DirectSparseWeights& weights,
                               cudaStream_t stream) {
  const KernelPointer<T> kernel = pick_kernel<T>(shape, tiling);
  if (!kernel || !valid_tiling<T>(tiling)) return cudaErrorInvalidValue;
  const DirectSparseGeometry g = direct_sparse_geometry(shape, tiling);
  const long long images = (long long)shape.N * shape.groups * tiling.splits;
  if (images > 65535 || g.channel_blocks > 65535) return cudaErrorInvalidConfiguration;
  if (tiling.splits > 1) {
    const cudaError_t zeroed =
        cudaMemsetAsync(output, 0, sizeof(T) * shape.N * shape.K * (long long)shape.P * shape.Q, stream);
    if (zeroed != cudaSuccess) return zeroed;
  }
  const dim3 grid(unsigned(g.tiles_x * g.tiles_y), unsigned(g.channel_blocks), unsigned(images));
  kernel<<<grid, tiling.warps * 32, g.shared_bytes, stream>>>(input, output, shape, tiling, g, weights);
  return cudaGetLastError();
}

#define SCB_DIRECT_SPARSE_INSTANTIATE(T)                                                                        \
  template cudaError_t direct_sparse_configure<T>(const DirectSparseShape&, const DirectSparseTiling&);         \
  template cudaError_t direct_sparse_conv<T>(const T*, T*, const DirectSparseShape&, const DirectSparseTiling&, \
                                             const DirectSparseWeights&, cudaStream_t);
SCB_DIRECT_SPARSE_INSTANTIATE(float)
SCB_DIRECT_SPARSE_INSTANTIATE(__half)
SCB_DIRECT_SPARSE_INSTANTIATE(__nv_bfloat16)

}  // namespace scb::kernels
