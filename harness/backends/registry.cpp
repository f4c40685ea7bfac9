#include "harness/backends/registry.hpp"

namespace scb {

std::unique_ptr<Backend> make_cudnn_backend();
std::unique_ptr<Backend> make_im2col_cublas_backend();
std::unique_ptr<Backend> make_im2col_cusparse_backend();
std::unique_ptr<Backend> make_escort_backend();
std::unique_ptr<Backend> make_direct_sparse_backend();
#ifdef SCBENCH_HAVE_CUSPARSELT
std::unique_ptr<Backend> make_cusparselt_backend();
#endif

namespace {

std::vector<std::unique_ptr<Backend>>& registered_backends() {
  static std::vector<std::unique_ptr<Backend>> backends = [] {
    std::vector<std::unique_ptr<Backend>> list;
    list.push_back(make_cudnn_backend());
    list.push_back(make_im2col_cublas_backend());
    list.push_back(make_im2col_cusparse_backend());
    list.push_back(make_escort_backend());
    list.push_back(make_direct_sparse_backend());
#ifdef SCBENCH_HAVE_CUSPARSELT
    list.push_back(make_cusparselt_backend());
#endif
    return list;
  }();
  return backends;
}

}  // namespace

const std::vector<std::unique_ptr<Backend>>& all_backends() { return registered_backends(); }

void add_backend(std::unique_ptr<Backend> backend) {
  if (find_backend(backend->name())) throw BackendError("a backend named '" + backend->name() + "' exists already");
  registered_backends().push_back(std::move(backend));
}

const std::vector<UnavailableBackend>& unavailable_backends() {
  static const std::vector<UnavailableBackend> missing{
#ifndef SCBENCH_HAVE_CUSPARSELT
      {"cusparselt", "cuSPARSELt (cusparseLt.h, libcusparseLt) was not found when this build was configured; "
                     "reconfigure with -DSCBENCH_CUSPARSELT_ROOT=<dir with include/ and lib/>"},
#endif
  };
  return missing;
}

const Backend* find_backend(const std::string& name) {
  for (const auto& backend : all_backends())
    if (backend->name() == name) return backend.get();
  return nullptr;
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const auto& backend : all_backends()) names.push_back(backend->name());
  return names;
}

}  // namespace scb
