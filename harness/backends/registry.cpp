#include "harness/backends/registry.hpp"

// Every built-in backend: one line each. Adding a backend is its adapter file, which defines
// `std::unique_ptr<Backend> make_<name>_backend()`, plus its line here.
#define SCBENCH_BUILT_IN_BACKENDS(X) \
  X(cudnn)                           \
  X(im2col_cublas)                   \
  X(im2col_cusparse)                 \
  X(escort)                          \
  X(direct_sparse)                   \
  X(direct_dense)                    \
  X(codegen)                         \
  X(dual_sparse)                     \
  X(ecr)                             \
  X(pecr)                            \
  X(cudnn_pool)                      \
  X(pool_direct)                     \
  X(cudnn_softmax)                   \
  X(softmax_caffe)                   \
  X(softmax_fused)                   \
  X(transform)

namespace scb {

#define SCBENCH_DECLARE_FACTORY(name) std::unique_ptr<Backend> make_##name##_backend();
SCBENCH_BUILT_IN_BACKENDS(SCBENCH_DECLARE_FACTORY)
#ifdef SCBENCH_HAVE_CUSPARSELT
SCBENCH_DECLARE_FACTORY(cusparselt)
#endif

namespace {

std::vector<std::unique_ptr<Backend>>& registered_backends() {
  static std::vector<std::unique_ptr<Backend>> backends = [] {
    std::vector<std::unique_ptr<Backend>> list;
#define SCBENCH_ADD_BACKEND(name) list.push_back(make_##name##_backend());
    SCBENCH_BUILT_IN_BACKENDS(SCBENCH_ADD_BACKEND)
#ifdef SCBENCH_HAVE_CUSPARSELT
    SCBENCH_ADD_BACKEND(cusparselt)  // optional: built only where cuSPARSELt was found
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
      {"cusparselt",
       "cuSPARSELt (cusparseLt.h, libcusparseLt) was not found when this build was configured; "
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
