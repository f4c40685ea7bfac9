#include "harness/spec/types.hpp"

#include <array>
#include <utility>

namespace scb {

namespace {

template <class Enum, std::size_t N>
std::string name_of(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "?";
}

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::pair<Enum, const char*>, N>& table, const std::string& text) {
  for (const auto& [e, name] : table)
    if (text == name) return e;
  return std::nullopt;
}

template <class Enum, std::size_t N>
std::vector<std::string> names_of(const std::array<std::pair<Enum, const char*>, N>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.second);
  return names;
}

constexpr std::array<std::pair<Precision, const char*>, 4> kPrecisions{
    {{Precision::fp32, "fp32"}, {Precision::tf32, "tf32"}, {Precision::fp16, "fp16"}, {Precision::bf16, "bf16"}}};
constexpr std::array<std::pair<Layout, const char*>, 3> kLayouts{
    {{Layout::nchw, "NCHW"}, {Layout::nhwc, "NHWC"}, {Layout::chwn, "CHWN"}}};
constexpr std::array<std::pair<MaskKind, const char*>, 6> kMaskKinds{
    {{MaskKind::uniform, "uniform"},
     {MaskKind::channel_imbalanced, "channel_imbalanced"},
     {MaskKind::block, "block"},
     {MaskKind::nm, "nm"},
     {MaskKind::file, "file"},
     {MaskKind::weights, "weights"}}};
constexpr std::array<std::pair<ActivationPattern, const char*>, 3> kPatterns{
    {{ActivationPattern::uniform, "uniform"},
     {ActivationPattern::clustered, "clustered"},
     {ActivationPattern::channel, "channel"}}};
constexpr std::array<std::pair<Fuse, const char*>, 2> kFuses{{{Fuse::none, "none"}, {Fuse::pool, "pool"}}};
constexpr std::array<std::pair<LayerOp, const char*>, 4> kOps{{{LayerOp::conv, "conv"},
                                                               {LayerOp::pool, "pool"},
                                                               {LayerOp::softmax, "softmax"},
                                                               {LayerOp::transform, "transform"}}};
constexpr std::array<std::pair<PoolMode, const char*>, 2> kPoolModes{{{PoolMode::max, "max"}, {PoolMode::avg, "avg"}}};
constexpr std::array<std::pair<StorageType, const char*>, 3> kStorage{
    {{StorageType::fp32, "fp32"}, {StorageType::fp16, "fp16"}, {StorageType::bf16, "bf16"}}};

}  // namespace

StorageType storage_of(Precision precision) {
  switch (precision) {
    case Precision::fp16:
      return StorageType::fp16;
    case Precision::bf16:
      return StorageType::bf16;
    default:
      return StorageType::fp32;
  }
}

std::size_t bytes_per_element(StorageType storage) { return storage == StorageType::fp32 ? 4 : 2; }

std::string to_string(Precision value) { return name_of(kPrecisions, value); }
std::string to_string(Layout value) { return name_of(kLayouts, value); }
std::string to_string(Fuse value) { return name_of(kFuses, value); }
std::string to_string(LayerOp value) { return name_of(kOps, value); }
std::string to_string(PoolMode value) { return name_of(kPoolModes, value); }
std::string to_string(MaskKind value) { return name_of(kMaskKinds, value); }
std::string to_string(ActivationPattern value) { return name_of(kPatterns, value); }
std::string to_string(StorageType value) { return name_of(kStorage, value); }

std::optional<Precision> parse_precision(const std::string& text) { return parse_name(kPrecisions, text); }
std::optional<Layout> parse_layout(const std::string& text) { return parse_name(kLayouts, text); }
std::optional<Fuse> parse_fuse(const std::string& text) { return parse_name(kFuses, text); }
std::optional<LayerOp> parse_op(const std::string& text) { return parse_name(kOps, text); }
std::optional<PoolMode> parse_pool_mode(const std::string& text) { return parse_name(kPoolModes, text); }
std::optional<MaskKind> parse_mask_kind(const std::string& text) { return parse_name(kMaskKinds, text); }
std::optional<ActivationPattern> parse_activation_pattern(const std::string& text) {
  return parse_name(kPatterns, text);
}

std::vector<std::string> precision_names() { return names_of(kPrecisions); }
std::vector<std::string> layout_names() { return names_of(kLayouts); }
std::vector<std::string> fuse_names() { return names_of(kFuses); }
std::vector<std::string> op_names() { return names_of(kOps); }
std::vector<std::string> pool_mode_names() { return names_of(kPoolModes); }
std::vector<std::string> mask_kind_names() { return names_of(kMaskKinds); }

}  // namespace scb
