#pragma once
// What one thread of each pooling kernel does (kernels/pool.cu), as host-and-device functions: the kernels
// call them with their thread and block indices, and a CPU test runs them over every thread of a launch
// against the FP64 reference. Plain index arithmetic and loads; no CUDA intrinsic.
#include <cfloat>
#include <cmath>

#include "kernels/divisor.hpp"
#include "kernels/element.cuh"
#include "kernels/pool.hpp"

#if defined(__CUDACC__)
#define SCB_UNROLL _Pragma("unroll")
#else
#define SCB_UNROLL
#endif

namespace scb::kernels {

// Caffe's average divides by the window clipped to the padded map, not to the map.
SCB_HOST_DEVICE inline float pool_average_divisor(const PoolProblem& s, int ys, int xs) {
  const int y_end = ys + s.size < s.H + s.pad ? ys + s.size : s.H + s.pad;
  const int x_end = xs + s.size < s.W + s.pad ? xs + s.size : s.W + s.pad;
  return float((y_end - ys) * (x_end - xs));
}

// NCHW staged, first half: thread tid of `threads` copies its share of block b's contiguous input run.
template <class T>
SCB_HOST_DEVICE inline void pool_stage_share(const T* __restrict__ input, float* __restrict__ stage,
                                             const PoolProblem& s, const StagedBlock& b, int tid, int threads) {
  const T* in = input + b.plane0 * s.H * s.W + b.y_lo * s.W;
#if defined(__CUDACC__)
#pragma unroll 8  // 8 loads in flight a thread: 8 blocks x 256 threads x 8 x 4 bytes = 64 KB an SM
#endif
  for (int i = tid; i < b.count; i += threads) stage[i] = to_float(in[i]);
}

// NCHW staged, second half (after the block's barrier): thread tid's outputs of block b, from the stage.
template <class T>
SCB_HOST_DEVICE inline void pool_staged_outputs(const float* __restrict__ stage, T* __restrict__ output,
                                                const PoolProblem& s, const PoolStaging& g, const StagedBlock& b,
                                                const Divisor& q_d, const Divisor& p_d, int tid, int threads) {
  const bool whole = g.bands == 1;
  const int outputs = b.planes * (b.p1 - b.p0) * s.Q;
  T* out = output + (b.plane0 * s.P + b.p0) * s.Q;
  for (int o = tid; o < outputs; o += threads) {
    const unsigned row = q_d.quotient(unsigned(o));
    const int q = int(q_d.remainder(unsigned(o), row));
    int plane = 0, p = b.p0 + int(row);
    if (whole) {
      const unsigned pl = p_d.quotient(row);
      plane = int(pl);
      p = int(p_d.remainder(row, pl));
    }
    const int ys = p * s.stride - s.pad, xs = q * s.stride - s.pad;
    const int y0 = ys > 0 ? ys : 0, y1 = ys + s.size < s.H ? ys + s.size : s.H;
    const int x0 = xs > 0 ? xs : 0, x1 = xs + s.size < s.W ? xs + s.size : s.W;
    const float* map = stage + plane * s.H * s.W;
    float best = -FLT_MAX, sum = 0.0f;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const float v = map[(y - b.y_lo) * s.W + x];
        best = fmaxf(best, v);
        sum += v;
      }
    out[o] = from_float<T>(s.average ? sum / pool_average_divisor(s, ys, xs) : best);
  }
}

template <class T, int V>
struct alignas(sizeof(T) * V) PoolPack {
  T v[V];
};

// The innermost dimension contiguous: element (outer, y, x, i) at ((outer * H + y) * W + x) * inner + i. Thread
// t computes output (outer, p, q) for elements [V v, V v + V) of the innermost dimension; consecutive threads
// take consecutive v. SIZE: the window's side when it is 2 or 3 (unrolled), else 0.
template <class T, int V, int SIZE>
SCB_HOST_DEVICE inline void pool_inner_thread(const T* __restrict__ input, T* __restrict__ output, const PoolProblem& s,
                                              int inner, const Divisor& vectors_d, const Divisor& q_d,
                                              const Divisor& p_d, int t) {
  const unsigned rest = vectors_d.quotient(unsigned(t));
  const int v = int(vectors_d.remainder(unsigned(t), rest));
  const unsigned rows = q_d.quotient(rest);
  const int q = int(q_d.remainder(rest, rows));
  const unsigned outer = p_d.quotient(rows);
  const int p = int(p_d.remainder(rows, outer));
  const int ys = p * s.stride - s.pad, xs = q * s.stride - s.pad;
  const T* map = input + int(outer) * s.H * s.W * inner + v * V;
  float acc[V];
  SCB_UNROLL
  for (int k = 0; k < V; ++k) acc[k] = s.average ? 0.0f : -FLT_MAX;
  const int size = SIZE > 0 ? SIZE : s.size;
  SCB_UNROLL
  for (int dy = 0; dy < size; ++dy) {
    const int y = ys + dy;
    if (y < 0 || y >= s.H) continue;
    SCB_UNROLL
    for (int dx = 0; dx < size; ++dx) {
      const int x = xs + dx;
      if (x < 0 || x >= s.W) continue;
      const PoolPack<T, V> tap = *reinterpret_cast<const PoolPack<T, V>*>(map + (y * s.W + x) * inner);
      SCB_UNROLL
      for (int k = 0; k < V; ++k) acc[k] = s.average ? acc[k] + to_float(tap.v[k]) : fmaxf(acc[k], to_float(tap.v[k]));
    }
  }
  const float scale = s.average ? 1.0f / pool_average_divisor(s, ys, xs) : 1.0f;
  PoolPack<T, V> result;
  SCB_UNROLL
  for (int k = 0; k < V; ++k) result.v[k] = from_float<T>(acc[k] * scale);
  *reinterpret_cast<PoolPack<T, V>*>(output + ((int(outer) * s.P + p) * s.Q + q) * inner + v * V) = result;
}

}  // namespace scb::kernels
