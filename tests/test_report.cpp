// Result JSON, the checkpoint/resume store and the console output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/report/console.hpp"
#include "harness/report/gbench_export.hpp"
#include "harness/report/json_file.hpp"
#include "harness/report/result.hpp"
#include "harness/report/result_store.hpp"
#include "sample_results.hpp"
#include "test_layer_builder.hpp"

namespace scb {
namespace {

using namespace testing_support;

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(SCBENCH_TEST_TMP) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(ResultJson, OkResultCarriesUnitsAndDerivedFigures) {
  const auto j = result_to_json(ok_result("cudnn", 0.9, 100.0));
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["case"]["key"], "vgg19/conv4_2 N=32 ws=0.9000 as=0.0000 mask=uniform fp32 NCHW cudnn{}");
  EXPECT_EQ(j["timing"]["samples_us"].size(), 12u);
  EXPECT_NEAR(j["timing"]["median_us"].get<double>(), 100.55, 1e-9);
  const double dense = 2.0 * 32 * 512 * 28 * 28 * 512 * 9;
  EXPECT_EQ(j["derived"]["dense_flops"].get<double>(), dense);
  EXPECT_NEAR(j["derived"]["tflops_useful"].get<double>(), 0.1 * dense / (100.55 * 1e6), 1e-6);
  EXPECT_EQ(j["case"]["shape"]["P"], 28);
}

TEST(ResultJson, IncorrectResultIsNeverTimed) {
  const auto j = result_to_json(incorrect_result());
  EXPECT_EQ(j["status"], "incorrect");
  EXPECT_TRUE(j["timing"].is_null());
  EXPECT_FALSE(j["verify"]["passed"].get<bool>());
  EXPECT_NE(j["error"].get<std::string>().find("rel_l2"), std::string::npos);
}

TEST(ResultJson, VerifiedResultIsCheckedButNotTimed) {
  const auto j = result_to_json(verified_result());
  EXPECT_EQ(j["status"], "verified");
  EXPECT_TRUE(j["timing"].is_null());
  EXPECT_TRUE(j["verify"]["passed"].get<bool>());
  EXPECT_EQ(result_brief(j).find(" us "), std::string::npos);  // no time in the progress line
  EXPECT_NE(result_brief(j).find("-> verified"), std::string::npos);
}

TEST(GoogleBenchmarkExport, OneRepetitionPerSampleAndAMedianForTimedCasesOnly) {
  const nlohmann::json ok = result_to_json(ok_result("cudnn", 0.9, 100.0));
  const nlohmann::json document = {
      {"results", {ok, result_to_json(incorrect_result()), result_to_json(verified_result())}},
      {"environment", nlohmann::json::object()}};
  std::ostringstream out;
  export_google_benchmark_json(document, out);
  const auto exported = nlohmann::json::parse(out.str());
  ASSERT_TRUE(exported.contains("context"));
  const auto& benchmarks = exported.at("benchmarks");
  const auto samples = ok["timing"]["samples_us"].get<std::vector<double>>();
  ASSERT_EQ(benchmarks.size(), samples.size() + 1);  // the untimed cases are left out
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(benchmarks[i]["name"], ok["case"]["key"]);
    EXPECT_EQ(benchmarks[i]["run_type"], "iteration");
    EXPECT_EQ(benchmarks[i]["time_unit"], "us");
    EXPECT_NEAR(benchmarks[i]["real_time"].get<double>(), samples[i], 1e-9);
  }
  const auto& median = benchmarks.back();
  EXPECT_EQ(median["run_type"], "aggregate");
  EXPECT_EQ(median["aggregate_name"], "median");
  EXPECT_NEAR(median["real_time"].get<double>(), ok["timing"]["median_us"].get<double>(), 1e-9);
}

const RunIdentity kIdentity{"00000000000000aa", "1.0.0"};

// The header a real run writes: the store reads the identity back from "sweep" and "tool".
nlohmann::json document_of(const RunIdentity& identity) {
  return {{"schema_version", 1},
          {"environment", nlohmann::json::object()},
          {"sweep", {{"hash", identity.sweep_hash}}},
          {"tool", {{"version", identity.tool_version}}}};
}

// The first line of a checkpoint that kIdentity's run wrote.
std::string identity_line() { return nlohmann::json{{"checkpoint_of", kIdentity.to_json()}}.dump() + "\n"; }

TEST(ResultStore, CheckpointsEveryResultAndWritesAtomically) {
  const auto dir = fresh_dir("store");
  const auto output = dir / "run.json";
  {
    ResultStore store(output, kIdentity);
    store.append(result_to_json(ok_result("cudnn", 0.5, 10)));
    store.append(result_to_json(error_result()));
    // Before the end, the results are already on disk.
    std::ifstream in(store.checkpoint());
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) lines += !line.empty();
    EXPECT_EQ(lines, 3) << "the identity line, then one line per result";
    EXPECT_FALSE(std::filesystem::exists(output));
    store.write_final(document_of(kIdentity));
  }
  EXPECT_FALSE(std::filesystem::exists(ResultStore::checkpoint_path(output)));
  std::ifstream in(output);
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["schema_version"], 1);
}

TEST(ResultStore, ResumeSkipsFinishedCasesAndToleratesACutLine) {
  const auto dir = fresh_dir("resume");
  const auto output = dir / "run.json";
  const auto first = result_to_json(ok_result("cudnn", 0.5, 10));
  {
    std::ofstream cp(ResultStore::checkpoint_path(output));
    cp << identity_line() << first.dump() << "\n"
       << R"({"case": {"key": "cut sh)";  // a crash mid-write
  }
  EXPECT_THROW(ResultStore(output, kIdentity), ResultStoreError)
      << "an unfinished run's results are never discarded silently";
  ResultStore store(output, kIdentity, {true});
  EXPECT_EQ(store.resumed_count(), 1u);
  EXPECT_TRUE(store.finished(first["case"]["key"].get<std::string>()));
  store.append(result_to_json(ok_result("im2col_cublas", 0.5, 20)));
  store.write_final(document_of(kIdentity));
  // Resuming from the final document keeps its results too.
  ResultStore again(output, kIdentity, {true});
  EXPECT_EQ(again.resumed_count(), 2u);
}

TEST(ResultStore, AResultAppendedAfterACutLineSurvivesTheNextResume) {
  const auto dir = fresh_dir("resume-cut");
  const auto output = dir / "run.json";
  {
    std::ofstream cp(ResultStore::checkpoint_path(output));
    cp << identity_line() << result_to_json(ok_result("cudnn", 0.5, 10)).dump() << "\n"
       << R"({"case": {"key": "cut sh)";
  }
  {
    ResultStore store(output, kIdentity, {true});
    store.append(result_to_json(ok_result("im2col_cublas", 0.5, 20)));
  }  // crash again before the final write
  ResultStore again(output, kIdentity, {true});
  EXPECT_EQ(again.resumed_count(), 2u) << "the result appended after the cut line must not be glued onto it";
}

TEST(ResultStore, RetryUnsuccessfulRunsIncorrectAndErrorCasesAgainAndTheLaterResultCounts) {
  const auto dir = fresh_dir("retry");
  const auto output = dir / "run.json";
  const auto ok = result_to_json(ok_result("cudnn", 0.5, 10));
  const auto incorrect = result_to_json(incorrect_result());
  const auto error = result_to_json(error_result());
  const std::string incorrect_key = incorrect["case"]["key"];
  {
    ResultStore store(output, kIdentity);
    for (const auto& r : {ok, incorrect, error}) store.append(r);
  }
  {
    ResultStore kept(output, kIdentity, {true});
    EXPECT_EQ(kept.resumed_count(), 3u) << "a plain resume keeps failures as results";
    EXPECT_TRUE(kept.finished(incorrect_key));
  }
  ResultStore retry(output, kIdentity, {true, true});
  EXPECT_EQ(retry.resumed_count(), 1u);
  EXPECT_TRUE(retry.finished(ok["case"]["key"].get<std::string>()));
  EXPECT_FALSE(retry.finished(incorrect_key));
  EXPECT_FALSE(retry.finished(error["case"]["key"].get<std::string>()));
  // The rerun case now passes; its new result replaces the old one everywhere.
  auto fixed = incorrect;
  fixed["status"] = "ok";
  retry.append(fixed);
  retry.write_final(document_of(kIdentity));
  const auto doc = read_json_file(output);
  ASSERT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["results"][1]["status"], "ok");
}

TEST(ResultStore, AGzipOutputIsCompressedAndResumable) {
  const auto dir = fresh_dir("gzip");
  const auto output = dir / "run.json.gz";
  {
    ResultStore store(output, kIdentity);
    store.append(result_to_json(ok_result("cudnn", 0.5, 10)));
    store.write_final(document_of(kIdentity));
  }
  std::ifstream raw(output, std::ios::binary);
  unsigned char magic[2] = {};
  raw.read(reinterpret_cast<char*>(magic), 2);
  EXPECT_EQ(magic[0], 0x1f);
  EXPECT_EQ(magic[1], 0x8b);
  const auto document = read_result_document(output.string() + "");
  EXPECT_EQ(document["results"].size(), 1u);
  ResultStore again(output, kIdentity, {true});
  EXPECT_EQ(again.resumed_count(), 1u);
  // A plain file named .json reads the same way.
  write_text_file_atomically(dir / "plain.json", document.dump());
  EXPECT_EQ(read_json_file(dir / "plain.json"), document);
  EXPECT_THROW(read_result_document(dir / "absent.json.gz"), JsonFileError);
  write_text_file_atomically(dir / "other.json.gz", "{\"a\": 1}");
  EXPECT_THROW(read_result_document(dir / "other.json.gz"), JsonFileError);
}

TEST(ResultStore, ResumeRefusesResultsOfAnotherSweepOrToolVersion) {
  const auto dir = fresh_dir("identity");
  const auto output = dir / "run.json";
  {
    ResultStore store(output, kIdentity);
    store.append(result_to_json(ok_result("cudnn", 0.5, 10)));
  }  // killed: only the checkpoint is left
  const RunIdentity edited_sweep{"00000000000000bb", kIdentity.tool_version};
  const RunIdentity newer_tool{kIdentity.sweep_hash, "2.0.0"};
  for (const auto& other : {edited_sweep, newer_tool}) {
    try {
      ResultStore refused(output, other, {true});
      FAIL() << "resumed across identities";
    } catch (const ResultStoreError& e) {
      EXPECT_NE(std::string(e.what()).find("--resume-any"), std::string::npos) << e.what();
    }
  }
  {
    ResultStore forced(output, edited_sweep, {true, false, true});
    EXPECT_EQ(forced.resumed_count(), 1u);
    forced.write_final(document_of(edited_sweep));
  }
  // The final document now carries the new identity; the old one is refused from it too.
  EXPECT_THROW(ResultStore(output, kIdentity, {true}), ResultStoreError);
  ResultStore same(output, edited_sweep, {true});
  EXPECT_EQ(same.resumed_count(), 1u);
  // A checkpoint from before identities were recorded is refused: nothing says which sweep wrote it.
  const auto legacy = dir / "legacy.json";
  std::ofstream(ResultStore::checkpoint_path(legacy)) << result_to_json(ok_result("cudnn", 0.5, 10)).dump() << "\n";
  EXPECT_THROW(ResultStore(legacy, kIdentity, {true}), ResultStoreError);
}

TEST(Console, SummaryTableHasOneRowPerResult) {
  const std::vector<nlohmann::json> results{result_to_json(ok_result("cudnn", 0.9, 100.0)),
                                            result_to_json(incorrect_result()), result_to_json(error_result())};
  const std::string table = summary_table(results);
  EXPECT_NE(table.find("median_us"), std::string::npos);
  EXPECT_NE(table.find("100.55"), std::string::npos);
  EXPECT_NE(table.find("incorrect"), std::string::npos);
  EXPECT_NE(table.find("cudnn{algo=winograd}"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 5);
  EXPECT_EQ(format_duration(75), "01:15");
  EXPECT_EQ(format_duration(3725), "1:02:05");
}

}  // namespace
}  // namespace scb

namespace scb {
namespace {

TEST(Roofline, H100CeilingsMatchTheVendorsNumbers) {
  const DeviceCeilings h100 = testing_support::h100_ceilings();
  EXPECT_NEAR(*h100.peak_tflops(Precision::fp32), 66.9, 0.1);  // vendor: 66.9 TFLOP/s FP32
  // Tensor-core peaks at the measured 1980 MHz; the vendor's 494.7 / 989.4 assume 1830 MHz.
  EXPECT_NEAR(*h100.peak_tflops(Precision::tf32) * 1830.0 / 1980.0, 494.7, 0.5);
  EXPECT_NEAR(*h100.peak_tflops(Precision::fp16) * 1830.0 / 1980.0, 989.4, 0.5);
  EXPECT_NEAR(h100.bandwidth_gbs(), 3352.3, 0.5);  // vendor: 3.35 TB/s
  const DeviceCeilings unknown{80, 1500, 7, 5, 5000, 256};
  EXPECT_FALSE(unknown.peak_tflops(Precision::fp32).has_value());
  EXPECT_FALSE(roofline_for(unknown, Precision::fp32, 1e9, 1e6).has_value());
}

TEST(Roofline, DerivedFiguresByHand) {
  // VGG-19 conv4_2, N = 32, fp32, 90% sparse, 100 us.
  const Case c = testing_support::sample_case("cudnn", 0.9);
  const DerivedFigures d = derive_figures(c, 0.1, 1.0, 100.0, testing_support::h100_ceilings());
  const double dense = 2.0 * 32 * 512 * 28 * 28 * 512 * 9;
  EXPECT_EQ(d.dense_flops, std::int64_t(dense));
  EXPECT_EQ(d.useful_flops, std::int64_t(dense * 0.1 + 0.5));
  EXPECT_NEAR(d.tflops_useful, dense * 0.1 / 100e-6 / 1e12, 1e-6);  // useful FLOPs are rounded to an integer
  // Input 32*512*28*28 + output 32*512*28*28 + 10% of 512*512*9 weights, 4 bytes each.
  const double bytes = 4.0 * (2.0 * 32 * 512 * 28 * 28 + 0.1 * 512 * 512 * 9);
  EXPECT_NEAR(double(d.minimal_bytes), bytes, 1.0);
  ASSERT_TRUE(d.roofline.has_value());
  const double compute_us = dense * 0.1 / (132 * 256 * 1980e6) * 1e6;
  const double memory_us = bytes / 3352.32e9 * 1e6;
  EXPECT_NEAR(d.roofline->compute_time_us, compute_us, 1e-6);
  EXPECT_NEAR(d.roofline->memory_time_us, memory_us, 1e-3);
  EXPECT_EQ(d.roofline->bound, compute_us > memory_us ? "compute" : "memory");
  EXPECT_NEAR(*d.roofline_fraction, std::max(compute_us, memory_us) / 100.0, 1e-9);
  // fp16 halves the bytes.
  Case half = c;
  half.precision = Precision::fp16;
  EXPECT_NEAR(double(minimal_bytes(half, 0.1)), bytes / 2, 1.0);
  EXPECT_FALSE(d.copy_bandwidth_fraction.has_value()) << "no copy measured";
}

TEST(Roofline, APoolingLayersFractionOfTheMeasuredCopyBandwidth) {
  // VGG-16 pool1 at N = 128: 128 x 64 x 224^2 in, 112^2 out, fp32, no weights; 1000 us against a copy of
  // 3000 GB/s (bytes read plus written).
  Case c = testing_support::sample_case("pool_direct", 0.0);
  c.layer = testing_support::make_pool_layer("pool1", 64, 224, 224, 2, 2);
  c.batch = 128;
  DeviceCeilings ceilings = testing_support::h100_ceilings();
  ceilings.measured_copy_gbs = 3000;
  const DerivedFigures d = derive_figures(c, 1.0, 1.0, 1000.0, ceilings);
  const double bytes = 4.0 * 128 * 64 * (224 * 224 + 112 * 112);
  EXPECT_NEAR(double(d.minimal_bytes), bytes, 1.0);
  ASSERT_TRUE(d.copy_bandwidth_fraction.has_value());
  EXPECT_NEAR(*d.copy_bandwidth_fraction, bytes / 1000e-6 / 3000e9, 1e-9);
  EXPECT_EQ(d.dense_flops, 128LL * 64 * 112 * 112 * 4) << "a compare per window element";
}

}  // namespace
}  // namespace scb
