#include "harness/report/json_file.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace scb {

namespace {

struct GzCloser {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::string gz_error_text(gzFile file) {
  int code = 0;
  const char* text = gzerror(file, &code);
  return code == Z_ERRNO ? std::strerror(errno) : std::string(text ? text : "unknown zlib error");
}

}  // namespace

bool is_gzip_path(const std::filesystem::path& path) { return path.extension() == ".gz"; }

std::string read_text_file(const std::filesystem::path& path) {
  // gzread passes files that are not gzip through unchanged, so one path serves both.
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw JsonFileError("cannot open " + path.string() + ": " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const int got = gzread(file.get(), buffer, sizeof buffer);
    if (got < 0) throw JsonFileError("cannot read " + path.string() + ": " + gz_error_text(file.get()));
    if (got == 0) break;
    text.append(buffer, std::size_t(got));
  }
  return text;
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw JsonFileError(path.string() + " is not JSON: " + e.what());
  }
}

void write_text_file_atomically(const std::filesystem::path& path, const std::string& text) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    GzFile file(gzopen(temporary.c_str(), is_gzip_path(path) ? "wb6" : "wbT"));  // T: no compression
    if (!file) throw JsonFileError("cannot write " + temporary.string() + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < text.size()) {
      const unsigned chunk = unsigned(std::min<std::size_t>(text.size() - written, 1u << 30));
      if (gzwrite(file.get(), text.data() + written, chunk) != int(chunk))
        throw JsonFileError("writing " + temporary.string() + " failed: " + gz_error_text(file.get()));
      written += chunk;
    }
    if (gzclose(file.release()) != Z_OK) throw JsonFileError("closing " + temporary.string() + " failed");
  }
  std::filesystem::rename(temporary, path);
}

nlohmann::json read_result_document(const std::filesystem::path& path) {
  nlohmann::json document = read_json_file(path);
  if (!document.is_object() || !document.contains("results") || !document.contains("environment"))
    throw JsonFileError(path.string() + " is not an scbench result document (no 'results' or 'environment')");
  return document;
}

}  // namespace scb
