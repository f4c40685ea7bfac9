#include "kernels/codegen/compiler.hpp"

#include <nvJitLink.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace scb::kernels::codegen {

namespace {

std::string jit_log(nvJitLinkHandle handle) {
  size_t size = 0;
  if (nvJitLinkGetErrorLogSize(handle, &size) != NVJITLINK_SUCCESS || size <= 1) return "";
  std::string log(size, '\0');
  nvJitLinkGetErrorLog(handle, log.data());
  log.resize(size - 1);
  return log;
}

std::string nvjitlink_version() {
  unsigned major = 0, minor = 0;
  nvJitLinkVersion(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

// FNV-1a over the bytes, from a given offset basis.
std::uint64_t fnv1a(const std::string& bytes, std::uint64_t hash) {
  for (const unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::vector<char> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_atomically(const std::filesystem::path& path, const std::vector<char>& bytes) {
  std::filesystem::create_directories(path.parent_path());
  const auto temporary = path.string() + ".tmp." + std::to_string(getpid()) + "." +
                         std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("codegen: could not write the cubin cache file " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

std::vector<char> compile_ptx(const std::string& ptx, const CompileTarget& target) {
  const std::string& arch = target.arch;
  const std::string arch_option = "-arch=" + arch, optimization = "-O" + std::to_string(target.optimization);
  const char* options[] = {arch_option.c_str(), optimization.c_str()};
  nvJitLinkHandle handle = nullptr;
  if (nvJitLinkCreate(&handle, 2, options) != NVJITLINK_SUCCESS)
    throw std::runtime_error("codegen: nvJitLinkCreate failed for " + arch);
  std::string error;
  if (nvJitLinkAddData(handle, NVJITLINK_INPUT_PTX, ptx.data(), ptx.size(), "generated.ptx") != NVJITLINK_SUCCESS ||
      nvJitLinkComplete(handle) != NVJITLINK_SUCCESS)
    error = "codegen: nvJitLink could not compile the generated PTX for " + arch + ": " + jit_log(handle);
  std::vector<char> cubin;
  size_t size = 0;
  if (error.empty() && nvJitLinkGetLinkedCubinSize(handle, &size) == NVJITLINK_SUCCESS) {
    cubin.resize(size);
    if (nvJitLinkGetLinkedCubin(handle, cubin.data()) != NVJITLINK_SUCCESS) error = "codegen: no cubin from nvJitLink";
  }
  nvJitLinkDestroy(&handle);
  if (!error.empty()) throw std::runtime_error(error);
  return cubin;
}

std::string cubin_cache_key(const std::string& ptx, const CompileTarget& target) {
  const std::string inputs =
      target.arch + "\n-O" + std::to_string(target.optimization) + '\n' + nvjitlink_version() + '\n' + ptx;
  char key[33];
  std::snprintf(key, sizeof key, "%016llx%016llx", (unsigned long long)fnv1a(inputs, 0xcbf29ce484222325ULL),
                (unsigned long long)fnv1a(inputs, 0x84222325cbf29ce4ULL));
  return key;
}

std::string default_cubin_cache_dir() {
  if (const char* dir = std::getenv("SCBENCH_CODEGEN_CACHE")) return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/scbench/cubins";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/scbench/cubins";
  return "";
}

std::vector<CompiledModule> compile_modules(const std::vector<std::string>& ptx, const CompileTarget& target,
                                            const std::string& cache_dir, unsigned threads) {
  std::vector<CompiledModule> modules(ptx.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&] {
    for (std::size_t i; (i = next++) < ptx.size();) {
      try {
        const std::filesystem::path path =
            cache_dir.empty() ? std::filesystem::path()
                              : std::filesystem::path(cache_dir) / (cubin_cache_key(ptx[i], target) + ".cubin");
        if (!path.empty()) modules[i].cubin = read_file(path);
        if (!modules[i].cubin.empty()) {
          modules[i].from_cache = true;
          continue;
        }
        const auto begin = std::chrono::steady_clock::now();
        modules[i].cubin = compile_ptx(ptx[i], target);
        modules[i].compile_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
        if (!path.empty()) write_atomically(path, modules[i].cubin);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  const unsigned count = std::max(1u, std::min<unsigned>(threads, unsigned(ptx.size())));
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return modules;
}

}  // namespace scb::kernels::codegen
