#pragma once
// GPU discovery and RAII owners of device memory, streams and events.
#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <utility>

namespace scb {

struct GpuProbe {
  bool available = false;
  int device_count = 0;
  std::string reason;  // why no GPU can be used, in words a user understands
};

// Never throws: a machine with no driver answers "no CUDA GPU found".
GpuProbe probe_gpu();

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept { *this = std::move(other); }
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return ptr_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

class CudaStream {
 public:
  CudaStream();
  ~CudaStream();
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class CudaEvent {
 public:
  CudaEvent();
  ~CudaEvent();
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// A device copy of `bytes` bytes of host memory (at least one byte is allocated, so the pointer is valid).
DeviceBuffer upload_bytes(const void* host, std::size_t bytes);
template <class Vector>
DeviceBuffer upload(const Vector& host) {
  return upload_bytes(host.data(), host.size() * sizeof(host[0]));
}

// Host memory the GPU can read while a kernel runs (the blocking kernel's release flag).
class MappedHostFlag {
 public:
  MappedHostFlag();
  ~MappedHostFlag();
  MappedHostFlag(const MappedHostFlag&) = delete;
  MappedHostFlag& operator=(const MappedHostFlag&) = delete;
  void set(int value) { *static_cast<volatile int*>(host_) = value; }
  int value() const { return *static_cast<volatile int*>(host_); }
  int* device_pointer() const { return device_; }

 private:
  int* host_ = nullptr;
  int* device_ = nullptr;
};

}  // namespace scb
