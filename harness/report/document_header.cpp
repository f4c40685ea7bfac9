#include "harness/report/document_header.hpp"

#include "harness/report/environment.hpp"
#include "harness/report/result.hpp"

namespace scb {

nlohmann::json measure_json(const MeasureSettings& m) {
  return {{"scope", to_string(m.scope)},
          {"l2", m.cold_l2 ? "cold" : "hot"},
          {"launch", m.launch == LaunchMode::graph ? "graph" : "stream"},
          {"warmup_runs", m.warmup_runs},
          {"min_samples", m.min_samples},
          {"max_samples", m.max_samples},
          {"max_noise", m.max_noise},
          {"max_time_s", m.max_time_s},
          {"kernel_scope", m.kernel_scope},
          {"kernel_runs", m.kernel_runs},
          {"energy_s", m.energy_s},
          {"counters", m.counters}};
}

nlohmann::json sweep_section(const std::string& path, const std::string& name, const std::string& hash,
                             std::uint64_t seed, std::size_t case_count, const MeasureSettings& measure) {
  return {{"path", path},
          {"name", name},
          {"hash", hash},
          {"seed", seed},
          {"case_count", case_count},
          {"measure", measure_json(measure)}};
}

nlohmann::json sweep_json(const Sweep& sweep, std::size_t case_count) {
  nlohmann::json j = sweep_section(sweep.file, sweep.name, sweep.content_hash, sweep.seed, case_count, sweep.measure);
  if (!sweep.published.speedups.empty()) {
    nlohmann::json speedups = nlohmann::json::array();
    for (const auto& p : sweep.published.speedups) {
      nlohmann::json entry = {{"sparse", p.sparse}, {"baseline", p.baseline}, {"speedup", p.speedup}};
      if (!p.layer.empty()) entry["layer"] = p.layer;
      if (p.batch > 0) entry["batch"] = p.batch;
      if (!p.note.empty()) entry["note"] = p.note;
      speedups.push_back(entry);
    }
    j["published"] = {{"source", sweep.published.source}, {"speedups", speedups}};
  }
  return j;
}

nlohmann::json result_document_header(const nlohmann::json& environment, const nlohmann::json& sweep) {
  return {
      {"schema_version", kResultSchemaVersion}, {"tool", tool_info()}, {"environment", environment}, {"sweep", sweep}};
}

}  // namespace scb
