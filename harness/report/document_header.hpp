#pragma once
// The top of every result document: schema version, tool, environment and the "sweep" section.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/measure/settings.hpp"
#include "harness/spec/sweep.hpp"

namespace scb {

// The "measure" block of a "sweep" section.
nlohmann::json measure_json(const MeasureSettings& settings);
// A "sweep" section: where the cases came from, the content hash that identifies them, and how they were measured.
nlohmann::json sweep_section(const std::string& path, const std::string& name, const std::string& hash,
                             std::uint64_t seed, std::size_t case_count, const MeasureSettings& measure);
// The section of a sweep file, with its published speedups.
nlohmann::json sweep_json(const Sweep& sweep, std::size_t case_count);
// schema_version, tool, the given environment and "sweep" section: every document starts so.
nlohmann::json result_document_header(const nlohmann::json& environment, const nlohmann::json& sweep);

}  // namespace scb
