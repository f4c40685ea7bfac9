#pragma once
#include <memory>
#include <string>
#include <vector>

#include "harness/backends/backend.hpp"

namespace scb {

const std::vector<std::unique_ptr<Backend>>& all_backends();

// Backends this build left out, with the reason (e.g. a library not found at configure time).
struct UnavailableBackend {
  std::string name;
  std::string reason;
};
const std::vector<UnavailableBackend>& unavailable_backends();
const Backend* find_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace scb
