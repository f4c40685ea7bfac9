#include "harness/tune/tuning_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>

namespace scb {

namespace {

std::string fnv1a(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::string timestamp_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

std::string file_fingerprint(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string() + " for its fingerprint");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fnv1a(bytes);
}

nlohmann::json TuningKey::to_json() const {
  nlohmann::json json = {{"gpu", {{"name", gpu_name}, {"sm_count", sm_count}, {"memory_clock_mhz", memory_clock_mhz}}},
                         {"driver", driver},
                         {"cuda", cuda},
                         {"libraries", libraries},
                         {"source_hash", source_hash},
                         {"backend", backend},
                         {"shape", shape},
                         {"batch", batch},
                         {"precision", precision},
                         {"layout", layout},
                         {"mask", mask_fingerprint}};
  if (!space.empty()) json["space"] = space;  // absent for the full space: older keys stay valid
  return json;
}

// nlohmann::json keeps object keys sorted: the dump is canonical.
std::string TuningKey::hash() const { return fnv1a(to_json().dump()); }

TuningCache::TuningCache(std::filesystem::path file) : file_(std::move(file)) {}

std::filesystem::path TuningCache::default_file() {
  if (const char* path = std::getenv("SCBENCH_TUNING_CACHE"); path && *path) return path;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "scbench" / "tuning.jsonl";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".cache" / "scbench" / "tuning.jsonl";
}

void TuningCache::append(const nlohmann::json& line) const {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
  const std::string text = line.dump() + "\n";
  const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open tuning cache " + file_.string() + ": " + std::strerror(errno));
  // One whole line per write, under an exclusive lock: concurrent runs never interleave their lines.
  ::flock(fd, LOCK_EX);
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::flock(fd, LOCK_UN);
      ::close(fd);
      throw std::runtime_error("writing tuning cache " + file_.string() + " failed: " + why);
    }
    written += std::size_t(n);
  }
  ::fsync(fd);
  ::flock(fd, LOCK_UN);
  ::close(fd);
}

std::vector<nlohmann::json> TuningCache::read_all() const {
  std::vector<nlohmann::json> lines;
  std::ifstream in(file_);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    try {
      auto entry = nlohmann::json::parse(line);
      if (entry.is_object() && entry.contains("key_hash") && entry.contains("kind")) lines.push_back(std::move(entry));
    } catch (const nlohmann::json::parse_error&) {
      // A line cut by a killed run: skipped, the rest of the file is intact.
    }
  }
  return lines;
}

std::optional<TunedChoice> TuningCache::lookup(const TuningKey& key) const {
  const std::string hash = key.hash();
  std::optional<TunedChoice> best;
  for (const auto& line : read_all()) {
    if (line["kind"] != "choice" || line["key_hash"] != hash) continue;
    const double time_us = line.value("time_us", 0.0);
    if (best && best->time_us <= time_us) continue;
    best = TunedChoice{line.value("params", nlohmann::json::object()), time_us, line.value("strategy", ""),
                       line.value("evaluations", 0)};
  }
  return best;
}

void TuningCache::record_evaluation(const TuningKey& key, const nlohmann::json& params, std::optional<double> time_us,
                                    const std::string& failure, const std::string& strategy) {
  nlohmann::json line = {{"kind", "evaluation"}, {"key_hash", key.hash()}, {"key", key.to_json()},
                         {"params", params},     {"strategy", strategy},   {"timestamp", timestamp_now()}};
  if (time_us)
    line["time_us"] = *time_us;
  else
    line["failure"] = failure;
  append(line);
}

void TuningCache::record_choice(const TuningKey& key, const TunedChoice& choice) {
  append({{"kind", "choice"},
          {"key_hash", key.hash()},
          {"key", key.to_json()},
          {"params", choice.params},
          {"time_us", choice.time_us},
          {"strategy", choice.strategy},
          {"evaluations", choice.evaluations},
          {"timestamp", timestamp_now()}});
}

std::vector<std::pair<std::string, nlohmann::json>> kernel_tuner_caches(const std::vector<nlohmann::json>& lines) {
  std::map<std::string, nlohmann::json> documents;
  for (const auto& line : lines) {
    if (line["kind"] != "evaluation") continue;
    const std::string hash = line["key_hash"];
    const auto& key = line["key"];
    const auto& params = line["params"];
    auto& doc = documents[hash];
    if (doc.is_null()) {
      const auto& shape = key["shape"];
      doc = {
          {"schema_version", "1.1.0"},
          {"device_name", key["gpu"]["name"]},
          {"kernel_name", key["backend"]},
          {"problem_size", key["batch"].get<int>() * shape.value("K", 1) * shape.value("P", 1) * shape.value("Q", 1)},
          {"tune_params_keys", nlohmann::json::array()},
          {"tune_params", nlohmann::json::object()},
          {"objective", "time"},
          {"cache", nlohmann::json::object()}};
      for (const auto& [name, value] : params.items()) doc["tune_params_keys"].push_back(name);
    }
    std::string config_key;
    nlohmann::json entry = nlohmann::json::object();
    for (const auto& name : doc["tune_params_keys"]) {
      const std::string value = params.value(name.get<std::string>(), "");
      config_key += (config_key.empty() ? "" : ",") + value;
      entry[name.get<std::string>()] = value;
      auto& values = doc["tune_params"][name.get<std::string>()];
      if (values.is_null()) values = nlohmann::json::array();
      if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
    }
    if (line.contains("time_us")) {
      const double ms = line["time_us"].get<double>() / 1000.0;
      entry["time"] = ms;
      entry["times"] = {ms};
    } else {
      entry["time"] = "RuntimeFailedConfig";
    }
    for (const char* field : {"compile_time", "verification_time", "benchmark_time", "strategy_time", "framework_time"})
      entry[field] = 0.0;
    entry["timestamp"] = line.value("timestamp", "");
    doc["cache"][config_key] = entry;
  }
  std::vector<std::pair<std::string, nlohmann::json>> out;
  for (auto& [hash, doc] : documents)
    out.emplace_back(doc["kernel_name"].get<std::string>() + "_" + hash + ".json", std::move(doc));
  return out;
}

}  // namespace scb
