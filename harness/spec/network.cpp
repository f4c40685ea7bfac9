#include "harness/spec/network.hpp"

#include <charconv>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "harness/spec/yaml_reader.hpp"

namespace scb {

namespace {

const std::vector<std::string> kNetworkKeys{"network", "description", "options", "layers"};
const std::vector<std::string> kOptionKeys{"default", "values", "description"};
const std::vector<std::string> kLayerKeys{"name",
                                          "C",
                                          "H",
                                          "W",
                                          "K",
                                          "R",
                                          "S",
                                          "stride",
                                          "pad",
                                          "dilation",
                                          "groups",
                                          "pool",
                                          "tags",
                                          "weight_sparsity",
                                          "activation_sparsity",
                                          "overrides",
                                          "op",
                                          "mode",
                                          "size",
                                          "classes"};
// The keys that only one kind of layer takes (the rest: name, tags, sparsities, overrides, and C, H, W, stride
// and pad where the kind has them).
const std::vector<std::string> kConvOnlyKeys{"K", "R", "S", "dilation", "groups", "pool"};
const std::vector<std::string> kPoolOnlyKeys{"mode", "size"};
const std::vector<std::string> kSoftmaxOnlyKeys{"classes"};
const std::vector<std::string> kPoolKeys{"size", "stride", "pad"};

class NetworkParser {
 public:
  NetworkParser(const YamlReader& reader, const OptionValues& options) : reader_(reader), options_(options) {}

  // An integer field may name an option instead of a number (H: seq_len). Bounded so that shape arithmetic
  // (products of three fields, in 64 bits) cannot overflow; shape_problem() then checks the convolution fits.
  int read_shape_int(const YAML::Node& node, const std::string& what) const {
    constexpr int kMaxShapeField = 1 << 16;
    const std::string text = reader_.read_string(node, what);
    const auto option = options_.find(text);
    if (option != options_.end()) {
      long long value = 0;
      const std::string& option_text = option->second;
      const auto [end, ec] = std::from_chars(option_text.data(), option_text.data() + option_text.size(), value);
      if (ec != std::errc() || end != option_text.data() + option_text.size() || value < 0 || value > kMaxShapeField)
        reader_.fail(node,
                     what + " uses option '" + text + "' whose value '" + option_text + "' is not an integer in [0, " +
                         std::to_string(kMaxShapeField) + "]",
                     "give the option an integer value in that range");
      return static_cast<int>(value);
    }
    return reader_.read_int_in(node, what, 0, kMaxShapeField);
  }

  // stride: 2 or stride: [2, 1] (height, width).
  std::pair<int, int> read_pair(const YAML::Node& node, const std::string& what) const {
    if (node.IsSequence()) {
      if (node.size() != 2) reader_.fail(node, what + " must be one integer or [height, width]", "write e.g. [2, 1]");
      return {read_shape_int(node[0], what), read_shape_int(node[1], what)};
    }
    const int value = read_shape_int(node, what);
    return {value, value};
  }

  Layer read_layer(const YAML::Node& node, const std::string& network) const {
    reader_.check_keys(node, kLayerKeys, "a layer");
    reader_.require_key(node, "name", "a layer", "name: conv1");
    Layer layer;
    layer.network = network;
    layer.name = reader_.read_string(node["name"], "layer name");
    const YAML::Node fields = with_overrides(node, layer.name);
    const std::string what = "layer '" + layer.name + "' ";
    if (fields["op"]) {
      const std::string text = reader_.read_string(fields["op"], what + "op");
      const auto op = parse_op(text);
      if (!op)
        reader_.fail(fields["op"], what + "has unknown op '" + text + "'", "use one of: " + join(op_names(), ", "));
      if (*op == LayerOp::transform)
        reader_.fail(fields["op"], what + "declares a transform",
                     "a sweep times the layout change of a layer's input with ops: [transform]; remove this layer");
      layer.op = *op;
    }
    reject_keys_of_other_ops(fields, layer);
    if (layer.op == LayerOp::pool) {
      read_pool_layer(fields, what, layer);
    } else if (layer.op == LayerOp::softmax) {
      reader_.require_key(fields, "classes", "softmax layer '" + layer.name + "'", "classes: 1000");
      layer.C = layer.K = read_shape_int(fields["classes"], what + "classes");
      layer.H = layer.W = layer.R = layer.S = 1;
    } else {
      read_conv_layer(fields, what, layer);
    }
    read_common_fields(fields, what, layer);
    if (const auto problem = layer.shape_problem())
      reader_.fail(node, "layer '" + layer.name + "' has an impossible shape: " + *problem,
                   "correct the layer's fields so the " + to_string(layer.op) + " fits");
    return layer;
  }

 private:
  void reject_keys_of_other_ops(const YAML::Node& fields, const Layer& layer) const {
    const auto reject = [&](const std::vector<std::string>& keys, const std::string& only) {
      for (const auto& key : keys)
        if (fields[key])
          reader_.fail(fields[key],
                       "layer '" + layer.name + "' (op " + to_string(layer.op) + ") has key '" + key +
                           "', which only " + only + " layers take",
                       "remove it, or set op: " + only);
    };
    if (layer.op != LayerOp::conv) reject(kConvOnlyKeys, "conv");
    if (layer.op != LayerOp::pool) reject(kPoolOnlyKeys, "pool");
    if (layer.op != LayerOp::softmax) reject(kSoftmaxOnlyKeys, "softmax");
    if (layer.op == LayerOp::softmax)
      for (const char* key : {"C", "H", "W", "stride", "pad"})
        if (fields[key])
          reader_.fail(fields[key], "softmax layer '" + layer.name + "' has key '" + std::string(key) + "'",
                       "a softmax is sized by classes alone: remove it");
  }

  // {op: pool, mode: max, C: 96, H: 55, W: 55, size: 3, stride: 2, pad: 0}; stride 1 and pad 0 by default,
  // as in Caffe.
  void read_pool_layer(const YAML::Node& fields, const std::string& what, Layer& layer) const {
    for (const char* key : {"C", "H", "W", "size"})
      reader_.require_key(fields, key, "pool layer '" + layer.name + "'", std::string(key) + ": 3");
    layer.C = layer.K = read_shape_int(fields["C"], what + "C");
    layer.H = read_shape_int(fields["H"], what + "H");
    layer.W = read_shape_int(fields["W"], what + "W");
    layer.R = layer.S = read_shape_int(fields["size"], what + "size");
    if (fields["stride"]) layer.stride_h = layer.stride_w = read_shape_int(fields["stride"], what + "stride");
    if (fields["pad"]) layer.pad_h = layer.pad_w = read_shape_int(fields["pad"], what + "pad");
    if (fields["mode"]) {
      const std::string text = reader_.read_string(fields["mode"], what + "mode");
      const auto mode = parse_pool_mode(text);
      if (!mode)
        reader_.fail(fields["mode"], what + "has unknown pool mode '" + text + "'",
                     "use one of: " + join(pool_mode_names(), ", "));
      layer.pool_mode = *mode;
    }
  }

  void read_conv_layer(const YAML::Node& fields, const std::string& what, Layer& layer) const {
    for (const char* key : {"C", "H", "W", "K", "R"})
      reader_.require_key(fields, key, "layer '" + layer.name + "'", std::string(key) + ": 3");
    layer.C = read_shape_int(fields["C"], what + "C");
    layer.H = read_shape_int(fields["H"], what + "H");
    layer.W = read_shape_int(fields["W"], what + "W");
    layer.K = read_shape_int(fields["K"], what + "K");
    layer.R = read_shape_int(fields["R"], what + "R");
    layer.S = fields["S"] ? read_shape_int(fields["S"], what + "S") : layer.R;
    if (fields["stride"]) std::tie(layer.stride_h, layer.stride_w) = read_pair(fields["stride"], what + "stride");
    if (fields["pad"]) std::tie(layer.pad_h, layer.pad_w) = read_pair(fields["pad"], what + "pad");
    if (fields["dilation"])
      std::tie(layer.dilation_h, layer.dilation_w) = read_pair(fields["dilation"], what + "dilation");
    if (fields["groups"]) layer.groups = read_shape_int(fields["groups"], what + "groups");
    if (const YAML::Node pool = fields["pool"]) {
      reader_.check_keys(pool, kPoolKeys, "a pool");
      PoolShape shape;
      if (pool["size"]) shape.size = read_shape_int(pool["size"], what + "pool size");
      if (pool["stride"]) shape.stride = read_shape_int(pool["stride"], what + "pool stride");
      if (pool["pad"]) shape.pad = read_shape_int(pool["pad"], what + "pool pad");
      layer.pool = shape;
    }
  }

  void read_common_fields(const YAML::Node& fields, const std::string& what, Layer& layer) const {
    if (fields["tags"])
      for (const auto& tag : reader_.read_list(fields["tags"], what + "tags"))
        layer.tags.push_back(reader_.read_string(tag, what + "tag"));
    if (fields["weight_sparsity"])
      layer.default_weight_sparsity = reader_.read_double(fields["weight_sparsity"], what + "weight_sparsity");
    if (fields["activation_sparsity"])
      layer.default_activation_sparsity =
          reader_.read_double(fields["activation_sparsity"], what + "activation_sparsity");
  }

  // overrides: {"stride_on=torchvision": {H: 56, stride: 2}} replaces fields when the option has that value.
  YAML::Node with_overrides(const YAML::Node& node, const std::string& layer_name) const {
    const YAML::Node overrides = node["overrides"];
    if (!overrides) return node;
    reader_.expect_map(overrides, "overrides of layer '" + layer_name + "'");
    std::optional<YAML::Node> merged;  // cloned only when an override applies, so other layers keep their line marks
    for (const auto& entry : overrides) {
      const std::string condition = reader_.read_key(entry.first);
      const auto equals = condition.find('=');
      if (equals == std::string::npos)
        reader_.fail(entry.first, "override key '" + condition + "' is not of the form option=value",
                     "write e.g. \"stride_on=torchvision\"");
      const std::string option = condition.substr(0, equals);
      const auto chosen = options_.find(option);
      if (chosen == options_.end())
        reader_.fail(entry.first, "override names unknown option '" + option + "'", "declare it under 'options:'");
      if (chosen->second != condition.substr(equals + 1)) continue;
      reader_.check_keys(entry.second, kLayerKeys, "an override");
      if (!merged) merged = YAML::Clone(node);
      for (const auto& field : entry.second) (*merged)[reader_.read_key(field.first)] = field.second;
    }
    return merged ? *merged : node;
  }

  const YamlReader& reader_;
  const OptionValues& options_;
};

std::vector<NetworkOption> read_options(const YamlReader& reader, const YAML::Node& node) {
  std::vector<NetworkOption> options;
  if (!node) return options;
  reader.expect_map(node, "options");
  for (const auto& entry : node) {
    NetworkOption option;
    option.name = reader.read_key(entry.first);
    reader.check_keys(entry.second, kOptionKeys, "option '" + option.name + "'");
    reader.require_key(entry.second, "default", "option '" + option.name + "'", "default: caffe");
    option.default_value = reader.read_string(entry.second["default"], "option default");
    if (entry.second["values"])
      for (const auto& value : reader.read_list(entry.second["values"], "option values"))
        option.allowed.push_back(reader.read_string(value, "option value"));
    if (entry.second["description"])
      option.description = reader.read_string(entry.second["description"], "description");
    options.push_back(option);
  }
  return options;
}

OptionValues resolve_options(const std::vector<NetworkOption>& declared, const OptionValues& chosen,
                             const SourceMark& chosen_at, const std::string& network) {
  OptionValues values;
  for (const auto& option : declared) values[option.name] = option.default_value;
  for (const auto& choice : chosen) {
    const std::string& name = choice.first;  // not a structured binding: clang 14 cannot capture those
    const std::string& value = choice.second;
    const auto it = std::find_if(declared.begin(), declared.end(), [&](const auto& o) { return o.name == name; });
    if (it == declared.end()) {
      std::vector<std::string> names;
      for (const auto& o : declared) names.push_back(o.name);
      throw SpecError(chosen_at, "network '" + network + "' has no option '" + name + "'",
                      names.empty() ? "remove 'options:' for this network" : "use one of: " + join(names, ", "));
    }
    if (!it->allowed.empty() && std::find(it->allowed.begin(), it->allowed.end(), value) == it->allowed.end())
      throw SpecError(chosen_at, "option '" + name + "' of network '" + network + "' cannot be '" + value + "'",
                      "use one of: " + join(it->allowed, ", "));
    if (it->allowed.empty()) {
      int number = 0;
      try {
        number = std::stoi(value);
      } catch (const std::exception&) {
      }
      if (number <= 0)
        throw SpecError(chosen_at, "option '" + name + "' of network '" + network + "' must be a positive integer",
                        "write e.g. " + name + ": " + it->default_value);
    }
    values[name] = value;
  }
  return values;
}

Network network_from_yaml(const YAML::Node& root, const std::string& file_name, const OptionValues& chosen,
                          const SourceMark& chosen_at) {
  const YamlReader reader(file_name);
  reader.check_keys(root, kNetworkKeys, "a network file");
  reader.require_key(root, "network", "a network file", "network: alexnet");
  reader.require_key(root, "layers", "a network file", "layers: [{name: conv1, C: 3, H: 224, W: 224, K: 64, R: 3}]");
  Network network;
  network.file = file_name;
  network.name = reader.read_string(root["network"], "network name");
  if (root["description"]) network.description = reader.read_string(root["description"], "description");
  network.options = read_options(reader, root["options"]);
  const OptionValues values = resolve_options(network.options, chosen, chosen_at, network.name);
  const NetworkParser parser(reader, values);
  for (const auto& node : reader.read_list(root["layers"], "layers")) {
    Layer layer = parser.read_layer(node, network.name);
    for (const auto& other : network.layers)
      if (other.name == layer.name) reader.fail(node, "layer name '" + layer.name + "' appears twice", "rename one");
    network.layers.push_back(std::move(layer));
  }
  return network;
}

}  // namespace

Network load_network(const std::filesystem::path& file, const OptionValues& chosen, const SourceMark& chosen_at) {
  return YamlReader::translate_errors(
      file.string(), [&] { return network_from_yaml(YamlReader::load_file(file), file.string(), chosen, chosen_at); });
}

Network parse_network(const std::string& text, const std::string& file_name) {
  return YamlReader::translate_errors(
      file_name, [&] { return network_from_yaml(YamlReader::load_string(text, file_name), file_name, {}, {}); });
}

Layer find_layer(const std::string& id, const std::filesystem::path& layers_dir) {
  const SourceMark where{"--layer", 0, 0};
  const auto slash = id.find('/');
  if (slash == std::string::npos)
    throw SpecError(where, "'" + id + "' is not network/layer", "write e.g. vgg19/conv4_2");
  const std::string network_name = id.substr(0, slash), layer_name = id.substr(slash + 1);
  const auto file = layers_dir / (network_name + ".yaml");
  if (!std::filesystem::exists(file))
    throw SpecError(where, "unknown network '" + network_name + "'",
                    "available: " + join(available_networks(layers_dir), ", "));
  std::vector<std::string> names;
  for (const auto& layer : load_network(file).layers) {
    if (layer.name == layer_name) return layer;
    names.push_back(layer.name);
  }
  const std::string suggestion = closest_match(layer_name, names);
  throw SpecError(where, "network '" + network_name + "' has no layer '" + layer_name + "'",
                  suggestion.empty() ? "run 'scbench list layers --network " + network_name + "'"
                                     : "did you mean '" + suggestion + "'?");
}

std::filesystem::path default_layers_dir() {
  if (const char* dir = std::getenv("SCBENCH_LAYERS_DIR")) return dir;
  return std::filesystem::path(SCBENCH_SOURCE_DIR) / "layers";
}

std::vector<std::string> available_networks(const std::filesystem::path& layers_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(layers_dir, ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace scb
