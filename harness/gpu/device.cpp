#include "harness/gpu/device.hpp"

#include "harness/gpu/cuda_check.hpp"

namespace scb {

GpuProbe probe_gpu() {
  GpuProbe probe;
  const cudaError_t status = cudaGetDeviceCount(&probe.device_count);
  if (status != cudaSuccess || probe.device_count == 0) {
    (void)cudaGetLastError();  // clear the sticky error for later callers
    probe.reason = std::string("no CUDA GPU found (") +
                   (status == cudaSuccess ? "device count is 0" : cudaGetErrorString(status)) + ")";
    probe.device_count = 0;
    return probe;
  }
  probe.available = true;
  return probe;
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes > 0) SCB_CUDA(cudaMalloc(&ptr_, bytes));
}

DeviceBuffer upload_bytes(const void* host, std::size_t bytes) {
  DeviceBuffer buffer(bytes > 0 ? bytes : 1);
  if (bytes > 0) SCB_CUDA(cudaMemcpy(buffer.get(), host, bytes, cudaMemcpyHostToDevice));
  return buffer;
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = std::exchange(other.ptr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

CudaStream::CudaStream() { SCB_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
CudaStream::~CudaStream() {
  if (stream_) cudaStreamDestroy(stream_);
}

CudaEvent::CudaEvent() { SCB_CUDA(cudaEventCreate(&event_)); }
CudaEvent::~CudaEvent() {
  if (event_) cudaEventDestroy(event_);
}

MappedHostFlag::MappedHostFlag() {
  void* host = nullptr;
  SCB_CUDA(cudaHostAlloc(&host, sizeof(int), cudaHostAllocMapped));
  host_ = static_cast<int*>(host);
  *host_ = 0;
  SCB_CUDA(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device_), host_, 0));
}

MappedHostFlag::~MappedHostFlag() {
  if (host_) cudaFreeHost(host_);
}

}  // namespace scb
