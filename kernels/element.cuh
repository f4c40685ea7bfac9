#pragma once
// Loads and stores of the stored element types as FP32, for kernels templated on the element. Host and device
// code (CPU tests run the pooling threads).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace scb::kernels {

__host__ __device__ __forceinline__ float to_float(float value) { return value; }
__host__ __device__ __forceinline__ float to_float(__half value) { return __half2float(value); }
__host__ __device__ __forceinline__ float to_float(__nv_bfloat16 value) { return __bfloat162float(value); }

template <class T>
__host__ __device__ __forceinline__ T from_float(float value);
template <>
__host__ __device__ __forceinline__ float from_float<float>(float value) {
  return value;
}
template <>
__host__ __device__ __forceinline__ __half from_float<__half>(float value) {
  return __float2half_rn(value);
}
template <>
__host__ __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float value) {
  return __float2bfloat16_rn(value);
}

}  // namespace scb::kernels
