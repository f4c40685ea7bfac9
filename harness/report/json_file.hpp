#pragma once
// Result documents on disk: plain JSON or gzip-compressed JSON (a path ending in ".gz"), read and
// written through zlib. Reading detects gzip by content, so a renamed file still loads.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace scb {

class JsonFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool is_gzip_path(const std::filesystem::path& path);
// The whole file, decompressed when it is gzip.
std::string read_text_file(const std::filesystem::path& path);
nlohmann::json read_json_file(const std::filesystem::path& path);
// Writes a temporary file beside `path` (gzip when `path` ends in ".gz"), then renames it over `path`:
// a reader never sees half a document, and a crash leaves the old one.
void write_text_file_atomically(const std::filesystem::path& path, const std::string& text);

// A result document: JSON with 'results' and 'environment'; anything else is a JsonFileError saying so.
nlohmann::json read_result_document(const std::filesystem::path& path);

}  // namespace scb
