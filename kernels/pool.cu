#include "kernels/pool.hpp"

#include <algorithm>
#include <cfloat>

#include "kernels/element.cuh"

namespace scb::kernels {

namespace {

// One output: its window clipped to the map; Caffe's average divides by the window clipped to the padded map.
template <class T, class At>
__device__ __forceinline__ float pool_window(const T* __restrict__ input, const PoolProblem& s, int p, int q,
                                             At offset_of) {
  const int y_start = p * s.stride - s.pad, x_start = q * s.stride - s.pad;
  const int y0 = max(y_start, 0), y1 = min(y_start + s.size, s.H);
  const int x0 = max(x_start, 0), x1 = min(x_start + s.size, s.W);
  float best = -FLT_MAX, sum = 0.0f;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      const float v = to_float(input[offset_of(y, x)]);
      best = fmaxf(best, v);
      sum += v;
    }
  if (!s.average) return best;
  const int divisor = (min(y_start + s.size, s.H + s.pad) - y_start) * (min(x_start + s.size, s.W + s.pad) - x_start);
  return sum / float(divisor);
}

// NCHW: thread -> (plane, row, group of OUT columns).
template <class T, int OUT>
__global__ void pool_nchw(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, long long threads) {
  const int groups = (s.Q + OUT - 1) / OUT;
  for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < threads;
       t += (long long)gridDim.x * blockDim.x) {
    const int group = int(t % groups);
    const long long rest = t / groups;
    const int p = int(rest % s.P);
    const long long plane = rest / s.P;
    const T* map = input + plane * s.H * s.W;
    T* out = output + (plane * s.P + p) * s.Q;
#pragma unroll
    for (int i = 0; i < OUT; ++i) {
      const int q = group * OUT + i;
      if (q < s.Q) out[q] = from_float<T>(pool_window(map, s, p, q, [&](int y, int x) { return y * s.W + x; }));
    }
  }
}

// CHWN: thread -> (channel, row, group of OUT columns, image), the image fastest.
template <class T, int OUT>
__global__ void pool_chwn(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, long long threads) {
  const int groups = (s.Q + OUT - 1) / OUT;
  for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < threads;
       t += (long long)gridDim.x * blockDim.x) {
    const int n = int(t % s.N);
    long long rest = t / s.N;
    const int group = int(rest % groups);
    rest /= groups;
    const int p = int(rest % s.P);
    const long long c = rest / s.P;
    const T* map = input + c * s.H * s.W * s.N + n;
    T* out = output + ((c * s.P + p) * s.Q) * s.N + n;
#pragma unroll
    for (int i = 0; i < OUT; ++i) {
      const int q = group * OUT + i;
      if (q < s.Q)
        out[(long long)q * s.N] =
            from_float<T>(pool_window(map, s, p, q, [&](int y, int x) { return ((long long)y * s.W + x) * s.N; }));
    }
  }
}

template <class T, int OUT>
cudaError_t launch(const void* input, void* output, const PoolProblem& s, PoolOrder order, cudaStream_t stream) {
  constexpr int kThreads = 256;
  const long long threads = (long long)s.N * s.C * s.P * ((s.Q + OUT - 1) / OUT);
  if (threads == 0) return cudaSuccess;
  const unsigned grid = unsigned(std::min((threads + kThreads - 1) / kThreads, 65536LL * 16));
  if (order == PoolOrder::chwn)
    pool_chwn<T, OUT><<<grid, kThreads, 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(output), s, threads);
  else
    pool_nchw<T, OUT><<<grid, kThreads, 0, stream>>>(static_cast<const T*>(input), static_cast<T*>(output), s, threads);
  return cudaGetLastError();
}

template <class T>
cudaError_t by_outputs(const void* input, void* output, const PoolProblem& s, PoolOrder order, int outputs,
                       cudaStream_t stream) {
  switch (outputs) {
    case 1:
      return launch<T, 1>(input, output, s, order, stream);
    case 2:
      return launch<T, 2>(input, output, s, order, stream);
    case 4:
      return launch<T, 4>(input, output, s, order, stream);
    case 8:
      return launch<T, 8>(input, output, s, order, stream);
    default:
      return cudaErrorInvalidValue;
  }
}

}  // namespace

cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, PoolOrder order, int outputs,
                         PoolElement element, cudaStream_t stream) {
  switch (element) {
    case PoolElement::f16:
      return by_outputs<__half>(input, output, problem, order, outputs, stream);
    case PoolElement::bf16:
      return by_outputs<__nv_bfloat16>(input, output, problem, order, outputs, stream);
    default:
      return by_outputs<float>(input, output, problem, order, outputs, stream);
  }
}

}  // namespace scb::kernels
