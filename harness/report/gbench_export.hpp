#pragma once
// Our result documents in Google Benchmark's JSON format, written by Google Benchmark's own JSONReporter,
// so that its tools (tools/compare.py) read them: one benchmark per timed case, named by the case key,
// one repetition per raw sample (so compare.py's U test sees the samples) and a `median` aggregate.
#include <nlohmann/json.hpp>
#include <ostream>

namespace scb {

// Writes the timed (`ok`) results of `document`; other cases are left out, since they carry no time.
// Times are in microseconds; the context block describes the exporting host, not the GPU machine.
void export_google_benchmark_json(const nlohmann::json& document, std::ostream& out);

}  // namespace scb
