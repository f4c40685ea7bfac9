#include "kernels/pool.hpp"

#include <algorithm>

#include "kernels/pool_threads.cuh"

namespace scb::kernels {

namespace {

constexpr int kThreads = 256;
constexpr int kMinBlocks = 512;  // small maps: planes a block takes are capped so that the GPU fills

// NCHW. Block b stages the input of band b % bands (of rows_per_band output rows) of planes_per_block planes
// (whole planes when bands == 1, else one plane): one contiguous run, so every warp load is coalesced.
template <class T>
__global__ void __launch_bounds__(kThreads)
    pool_nchw_staged(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, PoolStaging g, Divisor bands_d,
                     Divisor q_d, Divisor p_d) {
  __shared__ float stage[kPoolStageElements];
  const unsigned group = bands_d.quotient(blockIdx.x);
  const StagedBlock b = staged_block(s, g, int(group), int(bands_d.remainder(blockIdx.x, group)));
  pool_stage_share(input, stage, s, b, int(threadIdx.x), kThreads);
  __syncthreads();
  pool_staged_outputs(stage, output, s, g, b, q_d, p_d, int(threadIdx.x), kThreads);
}

// NHWC, CHWN, and NCHW too wide to stage: a thread per (outer, p, q, vector of the innermost dimension).
template <class T, int V, int SIZE>
__global__ void __launch_bounds__(kThreads)
    pool_inner(const T* __restrict__ input, T* __restrict__ output, PoolProblem s, int inner, Divisor vectors_d,
               Divisor q_d, Divisor p_d, int total) {
  const int t = blockIdx.x * kThreads + threadIdx.x;
  if (t < total) pool_inner_thread<T, V, SIZE>(input, output, s, inner, vectors_d, q_d, p_d, t);
}

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
cudaError_t forward(const void* input, void* output, const PoolProblem& s, TensorOrder order, const PoolPlan& plan,
                    cudaStream_t stream) {
  if (plan.staged) return launch_staged<T>(input, output, s, stream);
  // NCHW without staging is the innermost-contiguous form with one element inside: outer = N C.
  const int outer = order == TensorOrder::nhwc ? s.N : order == TensorOrder::chwn ? s.C : s.N * s.C;
  const int inner = order == TensorOrder::nhwc ? s.C : order == TensorOrder::chwn ? s.N : 1;
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

PoolPlan pool_plan(const PoolProblem& s, TensorOrder order, ElementType element, int max_vector) {
  PoolPlan plan;
  if (order == TensorOrder::nchw) {
    plan.staged = s.size * s.W <= kPoolStageElements;
    return plan;
  }
  const int inner = order == TensorOrder::nhwc ? s.C : s.N;
  const int widest = 16 / element_bytes(element);
  int v = max_vector > 0 ? std::min(max_vector, widest) : widest;
  int power = 1;
  while (power * 2 <= v) power *= 2;
  while (power > 1 && inner % power != 0) power /= 2;
  plan.vector = power;
  return plan;
}

cudaError_t pool_forward(const void* input, void* output, const PoolProblem& problem, TensorOrder order,
                         const PoolPlan& plan, ElementType element, cudaStream_t stream) {
  const long long elements = (long long)problem.N * problem.C * problem.H * problem.W;
  if (elements == 0 || (long long)problem.N * problem.C * problem.P * problem.Q == 0) return cudaSuccess;
  if (elements > 0x7fffffffLL || (long long)problem.N * problem.C * problem.P * problem.Q > 0x7fffffffLL)
    return cudaErrorInvalidValue;
  switch (element) {
    case ElementType::f16:
      return forward<__half>(input, output, problem, order, plan, stream);
    case ElementType::bf16:
      return forward<__nv_bfloat16>(input, output, problem, order, plan, stream);
    default:
      return forward<float>(input, output, problem, order, plan, stream);
  }
}

}  // namespace scb::kernels
