#include "harness/sparsity/activation.hpp"

#include <algorithm>
#include <cmath>

#include "harness/sparsity/rng.hpp"

namespace scb {

namespace {

// A smooth random field: coarse noise on a grid of `cell`-pixel cells, bilinearly interpolated.
std::vector<double> smooth_field(int height, int width, int cell, Rng& rng) {
  const int gh = height / cell + 2, gw = width / cell + 2;
  std::vector<double> grid(std::size_t(gh) * gw);
  for (auto& g : grid) g = rng.uniform01();
  std::vector<double> field(std::size_t(height) * width);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double fy = double(y) / cell, fx = double(x) / cell;
      const int y0 = int(fy), x0 = int(fx);
      const double ty = fy - y0, tx = fx - x0;
      const auto at = [&](int yy, int xx) { return grid[std::size_t(yy) * gw + xx]; };
      field[std::size_t(y) * width + x] = (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x0 + 1)) +
                                          ty * ((1 - tx) * at(y0 + 1, x0) + tx * at(y0 + 1, x0 + 1));
    }
  return field;
}

}  // namespace

void apply_activation_sparsity(std::vector<float>& input, int batch, int channels, int height, int width,
                               double sparsity, ActivationPattern pattern, std::uint64_t seed) {
  if (sparsity <= 0.0) return;
  Rng rng(seed);
  const std::size_t plane = std::size_t(height) * width;
  if (pattern == ActivationPattern::uniform) {
    for (auto& value : input)
      if (rng.uniform01() < sparsity) value = 0.0f;
    return;
  }
  if (pattern == ActivationPattern::channel) {
    // Per image: floor(sparsity * C) whole channels, drawn at random, are zero; the rest of the target
    // fraction falls uniformly on the other channels.
    const int dead = std::min(channels, int(std::floor(sparsity * channels + 1e-9)));
    const double rest = dead < channels ? (sparsity * channels - dead) / double(channels - dead) : 0.0;
    std::vector<int> order(static_cast<std::size_t>(channels));
    for (int n = 0; n < batch; ++n) {
      for (int c = 0; c < channels; ++c) order[std::size_t(c)] = c;
      for (int c = channels - 1; c > 0; --c) std::swap(order[std::size_t(c)], order[rng.below(std::uint64_t(c) + 1)]);
      for (int i = 0; i < channels; ++i) {
        float* values = input.data() + (std::size_t(n) * channels + order[std::size_t(i)]) * plane;
        for (std::size_t j = 0; j < plane; ++j)
          if (i < dead || rng.uniform01() < rest) values[j] = 0.0f;
      }
    }
    return;
  }
  const int cell = std::max(2, std::min(height, width) / 8);
  for (std::size_t p = 0; p < std::size_t(batch) * channels; ++p) {
    const auto field = smooth_field(height, width, cell, rng);
    auto sorted = field;
    const std::size_t zeros = std::size_t(std::llround(sparsity * double(plane)));
    if (zeros == 0) continue;
    std::nth_element(sorted.begin(), sorted.begin() + (zeros - 1), sorted.end());
    const double threshold = sorted[zeros - 1];
    float* values = input.data() + p * plane;
    for (std::size_t i = 0; i < plane; ++i)
      if (field[i] <= threshold) values[i] = 0.0f;
  }
}

}  // namespace scb
