// The two proofs of the timing engine: an empty kernel measures at most 3 us in gpu scope, and a
// kernel spinning a known number of SM cycles measures within 2% of cycles / clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <thread>

#include "gpu_test_support.hpp"
#include "harness/gpu/captured_sample.hpp"
#include "harness/gpu/cuda_check.hpp"
#include "harness/measure/counters.hpp"
#include "harness/measure/timing_engine.hpp"
#include "harness/gpu/timing_probes.hpp"

namespace scb {
namespace {

struct EngineFixture {
  CudaStream stream;
  std::unique_ptr<Nvml> nvml;
  std::unique_ptr<L2Flush> flush;
  std::unique_ptr<TimingEngine> engine;
  EngineFixture() {
    cudaDeviceProp props{};
    SCB_CUDA(cudaGetDeviceProperties(&props, 0));
    char bus[32] = {};
    SCB_CUDA(cudaDeviceGetPCIBusId(bus, sizeof bus, 0));
    nvml = Nvml::open(bus);
    flush = std::make_unique<L2Flush>(std::size_t(props.l2CacheSize));
    engine = std::make_unique<TimingEngine>(stream.get(), *flush, nvml.get());
  }
};

// Issue 2's bound, in the default mode (graph, cold L2). Not met on the H100 so far: cold 2.98-3.33 us,
// hot 2.82-3.07 us (sessions 3-6); the cold flush also evicts the kernel's code and launch data.
TEST(TimingEngineProof, EmptyKernelIsAtMost3Microseconds) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  for (const LaunchMode launch : {LaunchMode::graph, LaunchMode::stream})
    for (const bool cold : {true, false}) {
      MeasureSettings s;
      s.launch = launch;
      s.cold_l2 = cold;
      s.min_samples = 100;
      s.max_time_s = 2.0;
      const TimingResult r = f.engine->measure([](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); }, s);
      std::printf("[proof] empty kernel, gpu scope, launch %s, L2 %s: median %.3f us (p10 %.3f, p90 %.3f, n=%d, %s)\n",
                  r.launch.c_str(), cold ? "cold" : "hot", r.stats.median, r.stats.p10, r.stats.p90, r.stats.count,
                  r.stop_reason.c_str());
      EXPECT_EQ(r.launch, launch == LaunchMode::graph ? "graph" : "stream");
      EXPECT_EQ(r.blocking_timeouts, 0);
      if (launch == LaunchMode::graph) EXPECT_LE(r.stats.median, 3.0) << "the default launch mode";
    }
}

TEST(TimingEngineProof, SpinKernelMatchesCyclesOverClock) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  if (!f.nvml) GTEST_SKIP() << "NVML unavailable: the SM clock cannot be read";
  // The fixed cost of a timed launch (~3 us) is under 2% from about 150 us of work up.
  for (const long long cycles : {400'000LL, 2'000'000LL, 8'000'000LL}) {
    MeasureSettings s;
    s.min_samples = 30;
    s.max_time_s = 2.0;
    const TimingResult r =
        f.engine->measure([&](cudaStream_t st) { SCB_CUDA(probes::launch_spin_kernel(cycles, nullptr, st)); }, s);
    ASSERT_TRUE(r.clock.available);
    const double clock_mhz = 0.5 * (r.clock.min_mhz + r.clock.max_mhz);
    const double expected_us = double(cycles) / clock_mhz;
    const double error = r.stats.median / expected_us - 1.0;
    std::printf(
        "[proof] spin %lld cycles at %.0f MHz (min %u, max %u): expected %.2f us, measured median %.2f us, "
        "error %+.2f%%\n",
        cycles, clock_mhz, r.clock.min_mhz, r.clock.max_mhz, expected_us, r.stats.median, 100 * error);
    EXPECT_LT(std::abs(error), 0.02);
  }
}

TEST(TimingEngine, ColdL2IsSlowerThanHotForCacheResidentData) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  DeviceBuffer data(16 << 20), sink(sizeof(unsigned));  // 16 MiB fits in the 50 MB L2
  SCB_CUDA(cudaMemset(data.get(), 1, data.bytes()));
  const auto read_all = [&](cudaStream_t st) {
    SCB_CUDA(probes::launch_l2_flush(data.get(), data.bytes(), sink.as<unsigned>(), st));
  };
  MeasureSettings cold, hot;
  hot.cold_l2 = false;
  const double cold_us = f.engine->measure(read_all, cold).stats.median;
  const double hot_us = f.engine->measure(read_all, hot).stats.median;
  std::printf("[proof] reading 16 MiB: L2 cold %.2f us (%.0f GB/s), hot %.2f us (%.0f GB/s)\n", cold_us,
              data.bytes() / cold_us / 1e3, hot_us, data.bytes() / hot_us / 1e3);
  EXPECT_GT(cold_us, 1.2 * hot_us);
}

TEST(TimingEngine, KeepsRawSamplesAndAtLeastTheMinimum) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  MeasureSettings s;
  s.min_samples = 25;
  const TimingResult r = f.engine->measure([](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); }, s);
  EXPECT_GE(r.samples_us.size(), 25u);
  EXPECT_EQ(int(r.samples_us.size()), r.stats.count);
}

TEST(TimingEngine, HostScopeIncludesHostOverhead) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  MeasureSettings gpu, host;
  host.scope = TimingScope::host;
  const auto op = [](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); };
  const double gpu_us = f.engine->measure(op, gpu).stats.median;
  const double host_us = f.engine->measure(op, host).stats.median;
  std::printf("[proof] empty kernel: gpu scope %.2f us, host scope %.2f us\n", gpu_us, host_us);
  EXPECT_GT(host_us, gpu_us);
}

}  // namespace
}  // namespace scb

namespace scb {
namespace {

// Issue 3's proof: for kernels over 50 us, the kernel scope (CUPTI) and the gpu scope (events) agree.
TEST(KernelScopeProof, AgreesWithGpuScopeWithin5PercentOverLongKernels) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  for (const long long cycles : {200'000LL, 2'000'000LL}) {
    const Op spin = [&](cudaStream_t st) { SCB_CUDA(probes::launch_spin_kernel(cycles, nullptr, st)); };
    MeasureSettings s;
    s.min_samples = 30;
    const TimingResult gpu = f.engine->measure(spin, s);
    std::string why;
    const auto trace = KernelTrace::open(why);
    ASSERT_NE(trace, nullptr) << why;
    const KernelScope kernel = f.engine->trace_kernels(spin, s, *trace, 30);
    ASSERT_EQ(kernel.samples_us.size(), 30u);
    ASSERT_EQ(kernel.kernels.size(), 1u);
    EXPECT_NE(kernel.kernels[0].name.find("spin_kernel"), std::string::npos) << kernel.kernels[0].name;
    const double ratio = gpu.stats.median / kernel.stats.median;
    std::printf("[proof] spin %lld cycles: gpu scope %.2f us, kernel scope %.2f us, ratio %.4f\n", cycles,
                gpu.stats.median, kernel.stats.median, ratio);
    ASSERT_GT(kernel.stats.median, 50.0);
    EXPECT_NEAR(ratio, 1.0, 0.05);
  }
}

// Issue 3's counter proofs: a kernel with a known FFMA count reads exactly that count, and a large copy's
// DRAM bytes are within 2% of the bytes it moves.
TEST(CounterProof, KnownFmaCountAndCopyBytes) {
  SCB_REQUIRE_GPU();
  CudaStream stream;
  const std::vector<std::string> metrics{"sm__sass_thread_inst_executed_op_ffma_pred_on.sum", "dram__bytes_read.sum",
                                         "dram__bytes_write.sum"};
  std::string why;
  const auto session = CounterSession::open(0, metrics, why);
  ASSERT_NE(session, nullptr) << why;
  const int blocks = 264, threads = 256, iterations = 1000;
  DeviceBuffer out(std::size_t(blocks) * threads * sizeof(float));
  const auto fma = session->read(
      [&] {
        SCB_CUDA(probes::launch_fma_kernel(blocks, threads, iterations, out.as<float>(), stream.get()));
        SCB_CUDA(cudaStreamSynchronize(stream.get()));
      },
      why);
  ASSERT_TRUE(fma.has_value()) << why;
  ASSERT_EQ(fma->kernels.size(), 1u);
  const double expected_ffma = double(blocks) * threads * iterations * 8;
  std::printf("[proof] FFMA counter %.0f, expected %.0f\n", fma->kernels[0].values[0], expected_ffma);
  EXPECT_EQ(fma->kernels[0].values[0], expected_ffma);

  const std::size_t bytes = std::size_t(256) << 20;
  DeviceBuffer src(bytes), dst(bytes);
  SCB_CUDA(cudaMemset(src.get(), 1, bytes));
  SCB_CUDA(cudaMemset(dst.get(), 0, bytes));
  const auto copy = session->read(
      [&] {
        SCB_CUDA(probes::launch_copy_kernel(src.get(), dst.get(), bytes, stream.get()));
        SCB_CUDA(cudaStreamSynchronize(stream.get()));
      },
      why);
  ASSERT_TRUE(copy.has_value()) << why;
  ASSERT_EQ(copy->kernels.size(), 1u);
  const double read = copy->kernels[0].values[1], written = copy->kernels[0].values[2];
  std::printf("[proof] copy of %zu bytes: DRAM read %.0f (%+.2f%%), written %.0f (%+.2f%%)\n", bytes, read,
              100.0 * (read / bytes - 1), written, 100.0 * (written / bytes - 1));
  EXPECT_NEAR(read / double(bytes), 1.0, 0.02);
  EXPECT_NEAR(written / double(bytes), 1.0, 0.02);
}

// Energy per op, checked against bounds outside the pass: the board cannot draw more than its enforced power
// limit, nor less than it draws idle over a quiet second.
TEST(EnergyProof, SpinKernelEnergyLiesBetweenIdlePowerAndThePowerLimit) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  if (!f.nvml) GTEST_SKIP() << "NVML unavailable";
  const auto limit_mw = f.nvml->enforced_power_limit_mw();
  if (!limit_mw) GTEST_SKIP() << "NVML gives no power limit on this GPU";
  const Op spin = [](cudaStream_t st) { SCB_CUDA(probes::launch_spin_kernel(1'000'000, nullptr, st)); };
  std::string why;
  const auto e = f.engine->measure_energy(spin, 1.0, why);
  ASSERT_TRUE(e.has_value()) << why;
  // Idle power from the same energy counter over a quiet second just after the pass, at the temperature the
  // pass left. A single power reading before it is not idle: the sensor averages over the last second, and
  // the work that ran before this test (session 8: 147 W read "idle", then 125 W under the spin).
  SCB_CUDA(cudaDeviceSynchronize());
  const auto quiet_start_mj = f.nvml->total_energy_mj();
  const auto quiet_begin = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto quiet_end_mj = f.nvml->total_energy_mj();
  const double quiet_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - quiet_begin).count();
  ASSERT_TRUE(quiet_start_mj && quiet_end_mj) << "NVML gives no energy reading";
  const double idle_w = double(*quiet_end_mj - *quiet_start_mj) / 1000.0 / quiet_s;
  const double total_j = e->mj_per_op * double(e->ops) / 1000.0;
  const double limit_w = *limit_mw / 1000.0;
  std::printf("[proof] energy: %.3f mJ per ~0.5 ms spin, %.1f J over %.2f s (%.1f W); idle %.1f W, limit %.0f W\n",
              e->mj_per_op, total_j, e->seconds, e->average_watts, idle_w, limit_w);
  EXPECT_GE(e->seconds, 1.0);
  EXPECT_GT(e->ops, 1000);
  // The counter's 1 mJ steps and the sensors' averaging windows: 10% slack on each bound.
  EXPECT_LE(total_j, 1.1 * limit_w * e->seconds) << "more energy than the power limit allows";
  EXPECT_GE(total_j, 0.9 * idle_w * e->seconds) << "less energy than the idle GPU draws";
  // Back to back: the ops filled the pass, each taking the spin's time (cycles over the clock).
  const auto mhz = f.nvml->sm_clock_mhz();
  ASSERT_TRUE(mhz.has_value());
  const double spin_s = 1'000'000.0 / (*mhz * 1e6);
  EXPECT_NEAR(e->seconds / double(e->ops), spin_s, 0.1 * spin_s);
}

// Not a proof: where the fixed cost of a timed launch goes. Run by hand with
// --gtest_also_run_disabled_tests --gtest_filter='*LaunchCostBreakdown*'.
TEST(TimingEngineProbe, DISABLED_LaunchCostBreakdown) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  const auto empty = [](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); };
  const std::vector<std::pair<std::string, Op>> ops = {{"no op (event pair only)", [](cudaStream_t) {}},
                                                       {"1 empty kernel", empty},
                                                       {"2 empty kernels",
                                                        [&](cudaStream_t st) {
                                                          empty(st);
                                                          empty(st);
                                                        }},
                                                       {"4 empty kernels", [&](cudaStream_t st) {
                                                          for (int i = 0; i < 4; ++i) empty(st);
                                                        }}};
  for (const auto& [name, op] : ops)
    for (const LaunchMode launch : {LaunchMode::graph, LaunchMode::stream})
      for (const bool cold : {true, false}) {
        MeasureSettings s;
        s.launch = launch;
        s.cold_l2 = cold;
        s.min_samples = 300;
        s.max_samples = 300;
        s.max_time_s = 5.0;
        const TimingResult r = f.engine->measure(op, s);
        std::printf("[probe] %-24s %-6s %-4s median %.3f us  p10 %.3f  p90 %.3f\n", name.c_str(), r.launch.c_str(),
                    cold ? "cold" : "hot", r.stats.median, r.stats.p10, r.stats.p90);
        EXPECT_GT(r.stats.median, 0.0);
      }
}

// Not a proof: candidate layouts of one hot sample of an empty kernel, all behind a blocking kernel,
// to find the cheapest event placement. "events in graph" is the engine's; "graph of op only" records
// the events on the stream around a graph that holds the kernel alone; "stream" enqueues all three.
TEST(TimingEngineProbe, DISABLED_EventPlacement) {
  SCB_REQUIRE_GPU();
  CudaStream stream;
  CudaEvent start, stop;
  MappedHostFlag release, timed_out;
  const auto capture = [&](bool with_events) {
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    SCB_CUDA(cudaStreamBeginCapture(stream.get(), cudaStreamCaptureModeThreadLocal));
    if (with_events) SCB_CUDA(cudaEventRecordWithFlags(start.get(), stream.get(), cudaEventRecordExternal));
    SCB_CUDA(probes::launch_empty_kernel(stream.get()));
    if (with_events) SCB_CUDA(cudaEventRecordWithFlags(stop.get(), stream.get(), cudaEventRecordExternal));
    SCB_CUDA(cudaStreamEndCapture(stream.get(), &graph));
    SCB_CUDA(cudaGraphInstantiate(&exec, graph, 0));
    SCB_CUDA(cudaGraphDestroy(graph));
    SCB_CUDA(cudaGraphLaunch(exec, stream.get()));  // upload
    SCB_CUDA(cudaStreamSynchronize(stream.get()));
    return exec;
  };
  cudaGraphExec_t with_events = capture(true), op_only = capture(false);
  const std::vector<std::pair<std::string, std::function<void()>>> layouts = {
      {"events in graph", [&] { SCB_CUDA(cudaGraphLaunch(with_events, stream.get())); }},
      {"graph of op only",
       [&] {
         SCB_CUDA(cudaEventRecord(start.get(), stream.get()));
         SCB_CUDA(cudaGraphLaunch(op_only, stream.get()));
         SCB_CUDA(cudaEventRecord(stop.get(), stream.get()));
       }},
      {"stream", [&] {
         SCB_CUDA(cudaEventRecord(start.get(), stream.get()));
         SCB_CUDA(probes::launch_empty_kernel(stream.get()));
         SCB_CUDA(cudaEventRecord(stop.get(), stream.get()));
       }}};
  for (const auto& [name, enqueue] : layouts) {
    std::vector<double> samples;
    for (int i = 0; i < 300; ++i) {
      release.set(0);
      SCB_CUDA(probes::launch_blocking_kernel(release.device_pointer(), timed_out.device_pointer(), 2'000'000'000ull,
                                              stream.get()));
      enqueue();
      release.set(1);
      SCB_CUDA(cudaEventSynchronize(stop.get()));
      float ms = 0;
      SCB_CUDA(cudaEventElapsedTime(&ms, start.get(), stop.get()));
      samples.push_back(ms * 1000.0);
    }
    const SampleStats stats = summarize(samples);
    std::printf("[probe] %-18s hot median %.3f us  p10 %.3f  p90 %.3f\n", name.c_str(), stats.median, stats.p10,
                stats.p90);
    EXPECT_GT(stats.median, 0.0);
  }
  SCB_CUDA(cudaGraphExecDestroy(with_events));
  SCB_CUDA(cudaGraphExecDestroy(op_only));
}

// Not a proof: where a cold sample's extra cost comes from. One sample of an empty kernel (graph of
// start event, kernel, stop event) per row, varying the flush (none, the engine's read of 2x L2,
// NVBench's memset of 1x L2), whether the flush runs before or after the blocking kernel (NVBench:
// before, then sync; the engine: after), and how long the host waits between samples. (Stream priority
// made no difference on the H100, session 6.)
TEST(TimingEngineProbe, DISABLED_ColdLaunchVariants) {
  SCB_REQUIRE_GPU();
  EngineFixture engine_fixture;
  cudaDeviceProp props{};
  SCB_CUDA(cudaGetDeviceProperties(&props, 0));
  const std::size_t l2 = std::size_t(props.l2CacheSize);
  DeviceBuffer flush_buffer(2 * l2), sink(sizeof(unsigned));
  SCB_CUDA(cudaMemset(flush_buffer.get(), 0x5A, flush_buffer.bytes()));
  CudaStream stream;
  CudaEvent start, stop;
  MappedHostFlag release, timed_out;
  std::string why;
  CapturedSample graph(
      stream.get(), [](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); }, start.get(), stop.get(), why);
  ASSERT_TRUE(graph.ok()) << why;
  graph.launch(stream.get());
  SCB_CUDA(cudaStreamSynchronize(stream.get()));
  enum class Flush { none, read_2x, memset_1x };
  for (const int gap_us : {0, 20, 200})
    for (const Flush flush : {Flush::none, Flush::read_2x, Flush::memset_1x})
      for (const bool flush_first : {false, true}) {
        if (flush == Flush::none && flush_first) continue;
        const auto enqueue_flush = [&] {
          if (flush == Flush::read_2x)
            SCB_CUDA(probes::launch_l2_flush(flush_buffer.get(), 2 * l2, sink.as<unsigned>(), stream.get()));
          if (flush == Flush::memset_1x) SCB_CUDA(cudaMemsetAsync(flush_buffer.get(), 0, l2, stream.get()));
        };
        std::vector<double> samples;
        for (int i = 0; i < 400; ++i) {
          const auto resume = std::chrono::steady_clock::now() + std::chrono::microseconds(gap_us);
          while (std::chrono::steady_clock::now() < resume) {
          }
          if (flush_first) {
            enqueue_flush();
            SCB_CUDA(cudaStreamSynchronize(stream.get()));
          }
          release.set(0);
          SCB_CUDA(probes::launch_blocking_kernel(release.device_pointer(), timed_out.device_pointer(),
                                                  2'000'000'000ull, stream.get()));
          if (!flush_first) enqueue_flush();
          graph.launch(stream.get());
          release.set(1);
          SCB_CUDA(cudaEventSynchronize(stop.get()));
          float ms = 0;
          SCB_CUDA(cudaEventElapsedTime(&ms, start.get(), stop.get()));
          if (i >= 100) samples.push_back(ms * 1000.0);  // the first 100 warm up
        }
        const SampleStats stats = summarize(samples);
        const char* flush_name = flush == Flush::none ? "none" : flush == Flush::read_2x ? "read 2xL2" : "memset 1xL2";
        std::printf("[probe] gap %3d us, flush %-11s %-12s median %.3f us  p10 %.3f  p90 %.3f\n", gap_us, flush_name,
                    flush == Flush::none ? ""
                    : flush_first        ? "before block"
                                         : "after block",
                    stats.median, stats.p10, stats.p90);
        EXPECT_GT(stats.median, 0.0);
      }
  // The engine itself, for comparison with the rows above (it also reads the SM clock between samples).
  for (const bool cold : {true, false}) {
    MeasureSettings s;
    s.cold_l2 = cold;
    s.min_samples = s.max_samples = 300;
    s.max_time_s = 5.0;
    const TimingResult r =
        engine_fixture.engine->measure([](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); }, s);
    std::printf("[probe] engine, %s: median %.3f us  p10 %.3f  p90 %.3f\n", cold ? "cold" : "hot", r.stats.median,
                r.stats.p10, r.stats.p90);
  }
}

// The counter session keeps CUPTI's range profiler enabled on the context between reads: timing taken
// while it is open must match timing without it.
TEST(CounterProof, OpenSessionLeavesTimingAlone) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  MeasureSettings s;
  s.min_samples = 50;
  s.max_time_s = 1.0;
  const Op empty = [](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); };
  const Op spin = [](cudaStream_t st) { SCB_CUDA(probes::launch_spin_kernel(200'000, nullptr, st)); };
  const double empty_before = f.engine->measure(empty, s).stats.median;
  const double spin_before = f.engine->measure(spin, s).stats.median;
  std::string why;
  const auto session = CounterSession::open(0, lean_metrics(), why);
  ASSERT_NE(session, nullptr) << why;
  const auto reading = session->read(
      [&] {
        spin(f.stream.get());
        SCB_CUDA(cudaStreamSynchronize(f.stream.get()));
      },
      why);
  ASSERT_TRUE(reading.has_value()) << why;
  const double empty_open = f.engine->measure(empty, s).stats.median;
  const double spin_open = f.engine->measure(spin, s).stats.median;
  std::printf("[proof] with a counter session open: empty kernel %.3f -> %.3f us, spin %.2f -> %.2f us\n", empty_before,
              empty_open, spin_before, spin_open);
  EXPECT_LT(std::abs(empty_open - empty_before), 0.3);
  EXPECT_LT(std::abs(spin_open / spin_before - 1.0), 0.01);
}

// What each CUPTI pass costs per case, in wall milliseconds: opening and closing the kernel trace, tracing
// 20 runs, and one counter read, each five times on an empty kernel. Run: --gtest_also_run_disabled_tests.
TEST(TimingEngineProbe, DISABLED_CuptiPassCosts) {
  SCB_REQUIRE_GPU();
  EngineFixture f;
  const Op empty = [](cudaStream_t st) { SCB_CUDA(probes::launch_empty_kernel(st)); };
  const auto ms_since = [](auto start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  MeasureSettings s;
  for (int i = 0; i < 5; ++i) {
    std::string why;
    auto t0 = std::chrono::steady_clock::now();
    auto trace = KernelTrace::open(why);
    ASSERT_NE(trace, nullptr) << why;
    const double open_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    const KernelScope scope = f.engine->trace_kernels(empty, s, *trace, 20);
    const double trace_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    trace.reset();
    std::printf("[probe] kernel trace: open %.2f ms, 20 runs + collect %.2f ms, close %.2f ms (%zu samples)\n", open_ms,
                trace_ms, ms_since(t0), scope.samples_us.size());
  }
  std::string why;
  auto t0 = std::chrono::steady_clock::now();
  const auto session = CounterSession::open(0, lean_metrics(), why);
  ASSERT_NE(session, nullptr) << why;
  std::printf("[probe] counters: open %.2f ms\n", ms_since(t0));
  for (int i = 0; i < 5; ++i) {
    t0 = std::chrono::steady_clock::now();
    const auto reading = session->read(
        [&] {
          empty(f.stream.get());
          SCB_CUDA(cudaStreamSynchronize(f.stream.get()));
        },
        why);
    ASSERT_TRUE(reading.has_value()) << why;
    std::printf("[probe] counters: one lean read %.2f ms\n", ms_since(t0));
  }
}

}  // namespace
}  // namespace scb
