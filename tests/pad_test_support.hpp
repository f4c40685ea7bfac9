#pragma once
// The zero-border copy's test case, shared by its GPU test and its CPU run thread by thread: the input, a
// liveness mask that marks every third plane dead, and the count of padded elements that are not what they
// should be (dead planes must keep the 0xff bytes they held).
#include <cstddef>
#include <vector>

#include "kernels/pad.hpp"

namespace scb::testing_support {

// Never 0: a zero is border.
template <class T>
std::vector<T> pad_test_input(const kernels::PadShape& s) {
  std::vector<T> input(std::size_t(s.planes) * s.H * s.W);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = T(i % 30011 + 1);
  return input;
}

inline bool pad_test_plane_dead(long long plane, int channels) { return channels > 0 && plane % 3 == 1; }

// planes = images x channels; kernels/channel_liveness.hpp's bits.
inline std::vector<unsigned> pad_test_live_mask(const kernels::PadShape& s, int channels) {
  const int words = (channels + 31) / 32;
  std::vector<unsigned> live(std::size_t(s.planes / channels) * words, 0u);
  for (long long plane = 0; plane < s.planes; ++plane)
    if (!pad_test_plane_dead(plane, channels))
      live[std::size_t(plane / channels * words + plane % channels / 32)] |= 1u << (plane % channels % 32);
  return live;
}

template <class T>
std::size_t wrong_padded_elements(const kernels::PadShape& s, const std::vector<T>& input, const std::vector<T>& padded,
                                  int channels) {
  std::size_t wrong = 0;
  for (long long plane = 0; plane < s.planes; ++plane)
    for (int h = 0; h < s.padded_height(); ++h)
      for (int w = 0; w < s.padded_width(); ++w) {
        const int ih = h - s.pad_h, iw = w - s.pad_w;
        T expected =
            ih >= 0 && ih < s.H && iw >= 0 && iw < s.W ? input[std::size_t((plane * s.H + ih) * s.W + iw)] : T(0);
        if (pad_test_plane_dead(plane, channels)) expected = T(~T(0));  // untouched
        wrong += padded[std::size_t((plane * s.padded_height() + h) * s.padded_width() + w)] != expected;
      }
  return wrong;
}

}  // namespace scb::testing_support
