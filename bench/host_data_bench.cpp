// What the host side of one large case costs: inputs, weights and mask, their encoding for the GPU,
// and the decode and compare of the output against the FP64 reference. VGG-19 conv1_2 at N = 32 is
// the largest layer of the library sweep (102.8 M outputs). Run: build/bench/scbench_host_bench
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "harness/verify/compare.hpp"
#include "harness/data/problem_data.hpp"

namespace scb {
namespace {

Case vgg19_conv1_2(int batch, Precision precision) {
  Case c;
  c.layer.network = "vgg19";
  c.layer.name = "conv1_2";
  c.layer.C = 64, c.layer.H = 224, c.layer.W = 224, c.layer.K = 64, c.layer.R = 3, c.layer.S = 3;
  c.layer.pad_h = c.layer.pad_w = 1;
  c.batch = batch;
  c.weight_sparsity = 0.9;
  c.precision = precision;
  return c;
}

void BM_MakeProblem(benchmark::State& state) {
  const Case c = vgg19_conv1_2(int(state.range(0)), Precision::fp32);
  for (auto _ : state) benchmark::DoNotOptimize(make_problem(c, 1));
  state.SetItemsProcessed(state.iterations() * std::int64_t(c.batch) * c.layer.C * c.layer.H * c.layer.W);
}
BENCHMARK(BM_MakeProblem)->Arg(1)->Arg(32)->Unit(benchmark::kMillisecond);

void BM_EncodeActivations(benchmark::State& state) {
  const Layout layout = state.range(0) ? Layout::nhwc : Layout::nchw;
  const StorageType storage = state.range(0) ? StorageType::fp16 : StorageType::fp32;
  const Case c = vgg19_conv1_2(32, Precision::fp32);
  const std::vector<float> input(std::size_t(c.batch) * c.layer.C * c.layer.H * c.layer.W, 0.5f);
  for (auto _ : state)
    benchmark::DoNotOptimize(encode_activations(input, c.batch, c.layer.C, c.layer.H, c.layer.W, layout, storage));
  state.SetItemsProcessed(state.iterations() * std::int64_t(input.size()));
  state.SetLabel(state.range(0) ? "fp16 NHWC" : "fp32 NCHW");
}
BENCHMARK(BM_EncodeActivations)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DecodeAndCompare(benchmark::State& state) {
  const Case c = vgg19_conv1_2(32, Precision::fp32);
  const std::size_t count = std::size_t(c.batch) * c.layer.K * c.layer.H * c.layer.W;
  const std::vector<double> reference(count, 1.0);
  const std::vector<std::byte> raw = encode_values(std::vector<float>(count, 1.0f), StorageType::fp32);
  for (auto _ : state) {
    const auto output = decode_output(raw, c.batch, c.layer.K, c.layer.H, c.layer.W, Layout::nchw, StorageType::fp32);
    benchmark::DoNotOptimize(compare_outputs(reference, output));
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(count));
}
BENCHMARK(BM_DecodeAndCompare)->Unit(benchmark::kMillisecond)->UseRealTime();

// What the runner does: compare the output bytes in place, on up to 16 threads.
void BM_CompareRawOutput(benchmark::State& state) {
  const Layout layout = state.range(0) ? Layout::nhwc : Layout::nchw;
  const Case c = vgg19_conv1_2(32, Precision::fp32);
  const std::size_t count = std::size_t(c.batch) * c.layer.K * c.layer.H * c.layer.W;
  const std::vector<double> reference(count, 1.0);
  const std::vector<std::byte> raw = encode_values(std::vector<float>(count, 1.0f), StorageType::fp32);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        compare_raw_output(reference, raw, c.batch, c.layer.K, c.layer.H, c.layer.W, layout, StorageType::fp32));
  state.SetItemsProcessed(state.iterations() * std::int64_t(count));
  state.SetLabel(state.range(0) ? "NHWC" : "NCHW");
}
BENCHMARK(BM_CompareRawOutput)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace scb

BENCHMARK_MAIN();
