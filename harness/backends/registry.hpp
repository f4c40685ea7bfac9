#pragma once
#include <memory>
#include <string>
#include <vector>

#include "harness/backends/backend.hpp"

namespace scb {

const std::vector<std::unique_ptr<Backend>>& all_backends();
// Adds a backend beside the built-in ones, before any sweep is loaded: for tests (a deliberately wrong
// backend proves that verification catches it) and out-of-tree backends.
void add_backend(std::unique_ptr<Backend> backend);

// Backends this build left out, with the reason (e.g. a library not found at configure time).
struct UnavailableBackend {
  std::string name;
  std::string reason;
};
const std::vector<UnavailableBackend>& unavailable_backends();
const Backend* find_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace scb
