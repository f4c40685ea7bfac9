#pragma once
// Host-side loops over large tensors (10^8 elements at N = 32) on several threads. The work is cut into
// fixed chunks that do not depend on the thread count, so per-chunk results combined in chunk order are
// the same on every machine.
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

#include "harness/spec/types.hpp"

namespace scb {

inline constexpr std::size_t kHostChunk = std::size_t(1) << 20;

inline std::size_t host_chunk_count(std::size_t count) { return (count + kHostChunk - 1) / kHostChunk; }

// Calls body(chunk, begin, end) once for every chunk of [0, count), on up to 16 threads. `body` must not throw.
template <class Body>
void for_each_host_chunk(std::size_t count, const Body& body) {
  const std::size_t chunks = host_chunk_count(count);
  const std::size_t threads = std::min<std::size_t>(chunks, std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
  const auto work = [&](std::size_t first) {
    for (std::size_t c = first; c < chunks; c += threads)
      body(c, c * kHostChunk, std::min(count, (c + 1) * kHostChunk));
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  if (threads > 0) work(0);
  for (auto& thread : pool) thread.join();
}

// Where consecutive logical (a, b, y, x) elements of an A x B x Y x X tensor sit when it is stored in another
// order, starting from any logical index: channels last (A x Y x X x B: NHWC) or batch last (B x Y x X x A:
// CHWN, cuda-convnet's order; for weights K x C x R x S it is C x R x S x K).
class StoredOrderWalk {
 public:
  enum class Order { channels_last, batch_last };
  StoredOrderWalk(std::size_t logical_index, std::size_t A, std::size_t B, std::size_t Y, std::size_t X, Order order)
      : A_(A),
        B_(B),
        Y_(Y),
        X_(X),
        order_(order),
        x_(logical_index % X),
        y_(logical_index / X % Y),
        b_(logical_index / (X * Y) % B),
        a_(logical_index / (X * Y * B)) {}
  std::size_t offset() const {
    return order_ == Order::channels_last ? ((a_ * Y_ + y_) * X_ + x_) * B_ + b_ : ((b_ * Y_ + y_) * X_ + x_) * A_ + a_;
  }
  void next() {
    if (++x_ < X_) return;
    x_ = 0;
    if (++y_ < Y_) return;
    y_ = 0;
    if (++b_ < B_) return;
    b_ = 0;
    ++a_;
  }

 private:
  std::size_t A_, B_, Y_, X_;
  Order order_;
  std::size_t x_, y_, b_, a_;
};

// The walk of a layout other than NCHW (whose stored order is the logical one).
inline StoredOrderWalk::Order stored_order(Layout layout) {
  return layout == Layout::chwn ? StoredOrderWalk::Order::batch_last : StoredOrderWalk::Order::channels_last;
}

}  // namespace scb
