#include "kernels/pool.hpp"

#include <algorithm>
#include <cfloat>

#include "kernels/divisor.hpp"
#include "kernels/element.cuh"

namespace scb::kernels {

namespace {

constexpr int kThreads = 256;
constexpr int kMinBlocks = 512;  // small maps: planes a block takes are capped so that the GPU fills

// Caffe's average divides by the window clipped to the padded map, not to the map.
__device__ __forceinline__ float average_divisor(const PoolProblem& s, int ys, int xs) {
  return float((min(ys + s.size, s.H + s.pad) - ys) * (min(xs + s.size, s.W + s.pad) - xs));
}

// NCHW. Block b stages the input of band b % bands (of rows_per_band output rows) of planes_per_block planes
// (whole planes when bands == 1, else one plane): one contiguous run, so every warp load is coalesced.
// 8 blocks of 256 threads an SM, 8 loads in flight a thread: 8 x 256 x 8 x 4 = 64 KB in flight an SM.
template <class T>
__global__ void __launch_bounds__(kThreads)
    pool_nchw_staged(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, PoolStaging g, Divisor bands_d,
                     Divisor q_d, Divisor p_d) {
  __shared__ float stage[kPoolStageElements];
  const unsigned group = bands_d.quotient(blockIdx.x);
  const StagedBlock b = staged_block(s, g, int(group), int(bands_d.remainder(blockIdx.x, group)));
  const int plane0 = b.plane0, planes = b.planes, p0 = b.p0, p1 = b.p1, y_lo = b.y_lo, count = b.count;
  const bool whole = g.bands == 1;
  const int plane_elements = s.H * s.W;
  const T* in = input + plane0 * plane_elements + y_lo * s.W;
#pragma unroll 8
  for (int i = threadIdx.x; i < count; i += kThreads) stage[i] = to_float(in[i]);
  __syncthreads();

  const int outputs = planes * (p1 - p0) * s.Q;
  T* out = output + (plane0 * s.P + p0) * s.Q;
  for (int o = threadIdx.x; o < outputs; o += kThreads) {
    const unsigned row = q_d.quotient(o);
    const int q = int(q_d.remainder(o, row));
    int plane = 0, p = p0 + int(row);
    if (whole) {
      const unsigned pl = p_d.quotient(row);
      plane = int(pl);
      p = int(p_d.remainder(row, pl));
    }
    const int ys = p * s.stride - s.pad, xs = q * s.stride - s.pad;
    const int y0 = max(ys, 0), y1 = min(ys + s.size, s.H), x0 = max(xs, 0), x1 = min(xs + s.size, s.W);
    const float* map = stage + plane * plane_elements;
    float best = -FLT_MAX, sum = 0.0f;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const float v = map[(y - y_lo) * s.W + x];
        best = fmaxf(best, v);
        sum += v;
      }
    out[o] = from_float<T>(s.average ? sum / average_divisor(s, ys, xs) : best);
  }
}

template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

// Innermost dimension contiguous: element (outer, y, x, i) at ((outer * H + y) * W + x) * inner + i. A thread
// computes output (outer, p, q) for elements [V v, V v + V) of the innermost dimension; consecutive threads
// take consecutive v. SIZE: the window's side when it is 2 or 3 (unrolled), else 0.
template <class T, int V, int SIZE>
__global__ void __launch_bounds__(kThreads)
    pool_inner(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, int inner, Divisor vectors_d,
               Divisor q_d, Divisor p_d, int total) {
  const int t = blockIdx.x * kThreads + threadIdx.x;
  if (t >= total) return;
  const unsigned rest = vectors_d.quotient(t);
  const int v = int(vectors_d.remainder(t, rest));
  const unsigned rows = q_d.quotient(rest);
  const int q = int(q_d.remainder(rest, rows));
  const unsigned outer = p_d.quotient(rows);
  const int p = int(p_d.remainder(rows, outer));
  const int ys = p * s.stride - s.pad, xs = q * s.stride - s.pad;
  const T* map = input + int(outer) * s.H * s.W * inner + v * V;
  float acc[V];
#pragma unroll
  for (int k = 0; k < V; ++k) acc[k] = s.average ? 0.0f : -FLT_MAX;
  const int size = SIZE > 0 ? SIZE : s.size;
#pragma unroll
  for (int dy = 0; dy < size; ++dy) {
    const int y = ys + dy;
    if (y < 0 || y >= s.H) continue;
#pragma unroll
    for (int dx = 0; dx < size; ++dx) {
      const int x = xs + dx;
      if (x < 0 || x >= s.W) continue;
      const Pack<T, V> tap = *reinterpret_cast<const Pack<T, V>*>(map + (y * s.W + x) * inner);
#pragma unroll
      for (int k = 0; k < V; ++k) acc[k] = s.average ? acc[k] + to_float(tap.v[k]) : fmaxf(acc[k], to_float(tap.v[k]));
    }
  }
  const float scale = s.average ? 1.0f / average_divisor(s, ys, xs) : 1.0f;
  Pack<T, V> result;
#pragma unroll
  for (int k = 0; k < V; ++k) result.v[k] = from_float<T>(acc[k] * scale);
  *reinterpret_cast<Pack<T, V>*>(output + ((int(outer) * s.P + p) * s.Q + q) * inner + v * V) = result;
}

int element_bytes(PoolElement element) { return element == PoolElement::f32 ? 4 : 2; }

template <class T>
cudaError_t launch_staged(const void* input, void* output, const PoolProblem& s, cudaStream_t stream) {
  const PoolStaging g = pool_staging(s);
  pool_nchw_staged<T><<<g.blocks(), kThreads, 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(output), s, g,
                                                           Divisor(unsigned(g.bands)), Divisor(unsigned(s.Q)),
                                                           Divisor(unsigned(s.P)));
  return cudaGetLastError();
}

template <class T, int V, int SIZE>
cudaError_t launch_inner_sized(const void* input, void* output, const PoolProblem& s, int outer, int inner,
                               cudaStream_t stream) {
  const int total = outer * s.P * s.Q * (inner / V);
  pool_inner<T, V, SIZE><<<(total + kThreads - 1) / kThreads, kThreads, 0, stream>>>(
      static_cast<const T*>(input), static_cast<T*>(output), s, inner, Divisor(unsigned(inner / V)),
      Divisor(unsigned(s.Q)), Divisor(unsigned(s.P)), total);
  return cudaGetLastError();
}

template <class T, int V>
cudaError_t launch_inner(const void* input, void* output, const PoolProblem& s, int outer, int inner,
                         cudaStream_t stream) {
  if (s.size == 2) return launch_inner_sized<T, V, 2>(input, output, s, outer, inner, stream);
  if (s.size == 3) return launch_inner_sized<T, V, 3>(input, output, s, outer, inner, stream);
  return launch_inner_sized<T, V, 0>(input, output, s, outer, inner, stream);
}

template <class T>
cudaError_t forward(const void* input, void* output, const PoolProblem& s, PoolOrder order, const PoolPlan& plan,
                    cudaStream_t stream) {
  if (plan.staged) return launch_staged<T>(input, output, s, stream);
  // NCHW without staging is the innermost-contiguous form with one element inside: outer = N C.
  const int outer = order == PoolOrder::nhwc ? s.N : order == PoolOrder::chwn ? s.C : s.N * s.C;
  const int inner = order == PoolOrder::nhwc ? s.C : order == PoolOrder::chwn ? s.N : 1;
  if (inner % plan.vector != 0) return cudaErrorInvalidValue;
  switch (plan.vector) {
    case 1:
      return launch_inner<T, 1>(input, output, s, outer, inner, stream);
    case 2:
      return launch_inner<T, 2>(input, output, s, outer, inner, stream);
    case 4:
      return launch_inner<T, 4>(input, output, s, outer, inner, stream);
    case 8:
      if constexpr (sizeof(T) == 2) return launch_inner<T, 8>(input, output, s, outer, inner, stream);
      return cudaErrorInvalidValue;
    default:
      return cudaErrorInvalidValue;
  }
}

}  // namespace

PoolStaging pool_staging(const PoolProblem& s) {
  PoolStaging g;
  g.planes = s.N * s.C;
  const int plane_elements = s.H * s.W;
  if (plane_elements <= kPoolStageElements) {
    g.planes_per_block = std::max(1, std::min(kPoolStageElements / plane_elements, g.planes / kMinBlocks));
    g.bands = 1;
    g.rows_per_band = s.P;
  } else {
    g.planes_per_block = 1;
    g.rows_per_band = std::clamp((kPoolStageElements / s.W - s.size) / s.stride + 1, 1, s.P);
    g.bands = (s.P + g.rows_per_band - 1) / g.rows_per_band;
  }
  return g;
}

PoolPlan pool_plan(const PoolProblem& s, PoolOrder order, PoolElement element, int max_vector) {
  PoolPlan plan;
  if (order == PoolOrder::nchw) {
    plan.staged = s.size * s.W <= kPoolStageElements;
    return plan;
  }
  const int inner = order == PoolOrder::nhwc ? s.C : s.N;
  const int widest = 16 / element_bytes(element);
  int v = max_vector > 0 ? std::min(max_vector, widest) : widest;
  int power = 1;
  while (power * 2 <= v) power *= 2;
  while (power > 1 && inner % power != 0) power /= 2;
  plan.vector = power;
  return plan;
}

cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, PoolOrder order,
                         const PoolPlan& plan, PoolElement element, cudaStream_t stream) {
  const long long elements = (long long)problem.N * problem.C * problem.H * problem.W;
  if (elements == 0 || (long long)problem.N * problem.C * problem.P * problem.Q == 0) return cudaSuccess;
  if (elements > 0x7fffffffLL || (long long)problem.N * problem.C * problem.P * problem.Q > 0x7fffffffLL)
    return cudaErrorInvalidValue;
  switch (element) {
    case PoolElement::f16:
      return forward<__half>(input, output, problem, order, plan, stream);
    case PoolElement::bf16:
      return forward<__nv_bfloat16>(input, output, problem, order, plan, stream);
    default:
      return forward<float>(input, output, problem, order, plan, stream);
  }
}

}  // namespace scb::kernels
