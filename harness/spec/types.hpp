#pragma once
// The small vocabularies of a sweep: precision, layout, mask kind, activation pattern.
#include <optional>
#include <string>
#include <vector>

namespace scb {

enum class Precision { fp32, tf32, fp16, bf16 };
// chwn: batch innermost (cuda-convnet's order); weights then C x R x S x K.
enum class Layout { nchw, nhwc, chwn };
// weights: the mask is the zeros of real weights read from a file (the sweep's `weights:` key).
enum class MaskKind { uniform, channel_imbalanced, block, nm, file, weights };
// channel: whole channels of an image zero, as ReLU leaves dead channels in deep layers.
enum class ActivationPattern { uniform, clustered, channel };
// What a case times: the convolution alone, or convolution, ReLU and the layer's max-pool as one op.
enum class Fuse { none, pool };
// What a layer computes: a convolution, a pooling layer of its own, a softmax over each image's classes, or a
// change of layout of a tensor (the input of another layer).
enum class LayerOp { conv, pool, softmax, transform };
// avg divides by Caffe's window: clipped to the padded map, the padding counted.
enum class PoolMode { max, avg };

// How values are stored in memory: tf32 is fp32 storage computed on tensor cores.
enum class StorageType { fp32, fp16, bf16 };
StorageType storage_of(Precision precision);
std::size_t bytes_per_element(StorageType storage);

std::string to_string(Precision value);
std::string to_string(Layout value);
std::string to_string(Fuse value);
std::string to_string(LayerOp value);
std::string to_string(PoolMode value);
std::string to_string(MaskKind value);
std::string to_string(ActivationPattern value);
std::string to_string(StorageType value);

std::optional<Precision> parse_precision(const std::string& text);
std::optional<Layout> parse_layout(const std::string& text);
std::optional<Fuse> parse_fuse(const std::string& text);
std::optional<LayerOp> parse_op(const std::string& text);
std::optional<PoolMode> parse_pool_mode(const std::string& text);
std::optional<MaskKind> parse_mask_kind(const std::string& text);
std::optional<ActivationPattern> parse_activation_pattern(const std::string& text);

std::vector<std::string> precision_names();
std::vector<std::string> layout_names();
std::vector<std::string> fuse_names();
std::vector<std::string> op_names();
std::vector<std::string> pool_mode_names();
std::vector<std::string> mask_kind_names();

}  // namespace scb
