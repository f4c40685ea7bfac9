// Writes a result document through the real serializer and store, for the schema test.
#include <cstdio>

#include "harness/report/environment.hpp"
#include "harness/report/result_store.hpp"
#include "sample_results.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_sample_results <output.json>\n");
    return 2;
  }
  using namespace scb;
  using namespace scb::testing_support;
  std::filesystem::remove(ResultStore::checkpoint_path(argv[1]));
  ResultStore store(argv[1], RunIdentity{"0123456789abcdef", SCBENCH_VERSION});
  store.append(result_to_json(ok_result("cudnn", 0.9, 100.0)));
  store.append(result_to_json(ok_result_without_kernel_scope()));
  store.append(result_to_json(incorrect_result()));
  store.append(result_to_json(verified_result()));
  store.append(result_to_json(error_result()));
  // Each operator other than convolution, as the runner writes it.
  for (const LayerOp op : {LayerOp::pool, LayerOp::softmax, LayerOp::transform}) {
    CaseResult r = ok_result("pool_direct", 0.0, 20.0);
    r.c.layer.op = op;
    store.append(result_to_json(r));
  }
  // The environment block as collect_environment writes it on a GPU machine (not collectable here).
  const nlohmann::json environment = {{"gpu",
                                       {{"name", "NVIDIA H100 80GB HBM3"},
                                        {"uuid", "GPU-00000000-0000-0000-0000-000000000000"},
                                        {"compute_capability", "9.0"},
                                        {"sm_count", 132},
                                        {"l2_bytes", 52428800},
                                        {"memory_bytes", 85520809984LL},
                                        {"max_sm_clock_mhz", 1980},
                                        {"memory_clock_mhz", 2619},
                                        {"memory_bus_width_bits", 5120}}},
                                      {"driver_version", "580.159.04"},
                                      {"cuda_driver_api", "13.0"},
                                      {"cuda_runtime", "13.0"},
                                      {"cudnn", "9.14.0"},
                                      {"cublas", "13.0.0"},
                                      {"nvml", true},
                                      {"copy_bandwidth",
                                       {{"op", "cudaMemcpyAsync device to device"},
                                        {"bytes_copied", 268435456},
                                        {"median_us", 126.6},
                                        {"gbs_read_plus_written", 4241.0}}},
                                      {"host", {{"name", "h100"}, {"cpu", "x86"}}},
                                      {"timing_floor",
                                       {{"op", "empty kernel"},
                                        {"scope", "gpu"},
                                        {"l2", "cold"},
                                        {"launch", "graph"},
                                        {"median_us", 2.82},
                                        {"p10_us", 2.7},
                                        {"p90_us", 3.0},
                                        {"sample_count", 120},
                                        {"kernel_scope_median_us", 1.1}}}};
  store.write_final({{"schema_version", kResultSchemaVersion},
                     {"tool", tool_info()},
                     {"environment", environment},
                     {"sweep",
                      {{"path", "configs/quick.yaml"},
                       {"name", "quick"},
                       {"hash", "0123456789abcdef"},
                       {"seed", 1},
                       {"case_count", 3},
                       {"measure",
                        {{"scope", "gpu"},
                         {"l2", "cold"},
                         {"warmup_runs", 3},
                         {"min_samples", 10},
                         {"max_samples", 1000},
                         {"max_noise", 0.005},
                         {"max_time_s", 1.0}}}}}});
  return 0;
}
