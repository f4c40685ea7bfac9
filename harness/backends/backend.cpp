#include "harness/backends/backend.hpp"

#include <algorithm>

#include "harness/spec/text.hpp"

namespace scb {

kernels::ConvShape conv_shape(const Case& c) {
  const Layer& l = c.layer;
  return {c.batch, l.C,      l.H,        l.W,        l.K,     l.R,     l.S,          l.P(),
          l.Q(),   l.groups, l.stride_h, l.stride_w, l.pad_h, l.pad_w, l.dilation_h, l.dilation_w};
}

std::optional<Unsupported> refuse_tf32_outside_conv(const Case& c) {
  if (c.precision != Precision::tf32) return std::nullopt;
  return Unsupported{"precision",
                     "tf32 is a convolution's math mode: use fp32 for a " + to_string(c.layer.op) + " layer"};
}

std::optional<Unsupported> refuse_softmax_layouts(const Case& c) {
  // N x classes x 1 x 1: NCHW and NHWC are the same bytes, so a network planned in NHWC needs no transform.
  if (c.layout != Layout::chwn && c.layer.H == 1 && c.layer.W == 1) return refuse_tf32_outside_conv(c);
  return Unsupported{"layout",
                     "a softmax reads an N x classes tensor, stored alike in NCHW and NHWC: use one of "
                     "them (CHWN would store it transposed)"};
}

std::optional<std::string> Backend::check_params(const Params& values) const {
  const auto defs = params();
  for (const auto& [key, value] : values) {
    const auto def = std::find_if(defs.begin(), defs.end(), [&](const ParamDef& d) { return d.name == key; });
    if (def == defs.end()) {
      std::vector<std::string> names;
      for (const auto& d : defs) names.push_back(d.name);
      return "backend '" + name() + "' has no param '" + key + "'" +
             (names.empty() ? " (it takes none)" : "; its params are: " + join(names, ", "));
    }
    if (std::find(def->values.begin(), def->values.end(), value) == def->values.end())
      return "param '" + key + "' of backend '" + name() + "' cannot be '" + value +
             "'; legal values: " + join(def->values, ", ");
  }
  const auto value = [&](const std::string& key) {
    if (const auto it = values.find(key); it != values.end()) return it->second;
    for (const auto& d : defs)
      if (d.name == key) return d.values.front();
    throw std::logic_error("backend " + name() + " constrains unknown param " + key);
  };
  for (const auto& constraint : constraints())
    if (!constraint.holds(value)) return "backend '" + name() + "' params break the rule: " + constraint.rule;
  return std::nullopt;
}

std::string Backend::param(const Case& c, const std::string& key) const {
  if (const auto it = c.params.find(key); it != c.params.end()) return it->second;
  for (const auto& def : params())
    if (def.name == key) return def.values.front();
  throw std::logic_error("backend " + name() + " has no param " + key);
}

}  // namespace scb
