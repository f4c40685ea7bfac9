#pragma once
// A network file (layers/<name>.yaml): named layers, their published default sparsities and options.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/spec/layer.hpp"
#include "harness/spec/spec_error.hpp"

namespace scb {

// A choice that changes layer shapes, e.g. ResNet-50's stride placement or Kim's sequence length.
struct NetworkOption {
  std::string name;
  std::string default_value;
  std::vector<std::string> allowed;  // empty: any positive integer
  std::string description;
};

struct Network {
  std::string name;
  std::string description;
  std::string file;
  std::vector<NetworkOption> options;
  std::vector<Layer> layers;
};

using OptionValues = std::map<std::string, std::string>;

// `chosen` overrides option defaults; a bad option is reported at `chosen_at`.
Network load_network(const std::filesystem::path& file, const OptionValues& chosen = {},
                     const SourceMark& chosen_at = {});

// The same from YAML text (tests and the fuzzer): every problem is a SpecError naming `file_name`.
Network parse_network(const std::string& text, const std::string& file_name);

// A layer by its id, "network/layer" (e.g. vgg19/conv4_2), from the network files in `layers_dir`; an
// unknown network or layer is a SpecError that lists or suggests the right names.
Layer find_layer(const std::string& id, const std::filesystem::path& layers_dir);

std::filesystem::path default_layers_dir();
std::vector<std::string> available_networks(const std::filesystem::path& layers_dir);

}  // namespace scb
