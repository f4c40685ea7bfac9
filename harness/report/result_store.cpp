#include "harness/report/result_store.hpp"

#include <cstdio>

namespace scb {

std::filesystem::path ResultStore::checkpoint_path(const std::filesystem::path& output) {
  return output.string() + ".partial.jsonl";
}

ResultStore::ResultStore(std::filesystem::path output, bool resume, bool retry_unsuccessful)
    : output_(std::move(output)) {
  if (output_.has_parent_path()) std::filesystem::create_directories(output_.parent_path());
  const bool had_checkpoint = std::filesystem::exists(checkpoint());
  if (resume) {
    load_existing();
    if (retry_unsuccessful) drop_unsuccessful();
    resumed_ = results_.size();
    // Rewritten whole (atomically): a line cut by a crash would otherwise swallow the next appended
    // result, and a resumed final document or dropped failures must not depend on the old files.
    rewrite_checkpoint();
  } else if (had_checkpoint) {
    throw ResultStoreError("an unfinished run left results in " + checkpoint().string() +
                           "; continue it with --resume, or delete that file to start over");
  }
  checkpoint_.open(checkpoint(), std::ios::app);
  if (!checkpoint_) throw ResultStoreError("cannot write checkpoint " + checkpoint().string());
}

void ResultStore::rewrite_checkpoint() const {
  const std::filesystem::path temporary = checkpoint().string() + ".tmp";
  {
    std::ofstream out(temporary);
    for (const auto& r : results_) out << r.dump() << '\n';
    out.flush();
    if (!out) throw ResultStoreError("writing " + temporary.string() + " failed");
  }
  std::filesystem::rename(temporary, checkpoint());
}

void ResultStore::keep(const nlohmann::json& result) {
  const std::string key = result.at("case").at("key").get<std::string>();
  const auto [it, inserted] = finished_.emplace(key, results_.size());
  if (inserted) results_.push_back(result);
  else results_[it->second] = result;
}

void ResultStore::drop_unsuccessful() {
  std::vector<nlohmann::json> kept;
  for (auto& r : results_) {
    const std::string status = r.value("status", "");
    if (status != "incorrect" && status != "error") kept.push_back(std::move(r));
  }
  results_.clear();
  finished_.clear();
  for (const auto& r : kept) keep(r);
}

void ResultStore::load_existing() {
  if (std::filesystem::exists(output_)) {
    std::ifstream in(output_);
    try {
      const auto document = nlohmann::json::parse(in);
      for (const auto& r : document.at("results")) keep(r);
    } catch (const std::exception& e) {
      throw ResultStoreError("cannot resume from " + output_.string() + ": " + e.what());
    }
  }
  if (std::filesystem::exists(checkpoint())) {
    std::ifstream in(checkpoint());
    std::size_t line_number = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      if (line.empty()) continue;
      try {
        keep(nlohmann::json::parse(line));
      } catch (const std::exception&) {
        // A line cut short by a crash: that case simply runs again.
        std::fprintf(stderr, "warning: %s:%zu is not a complete result; that case will run again\n",
                     checkpoint().string().c_str(), line_number);
      }
    }
  }
}

void ResultStore::append(const nlohmann::json& result) {
  keep(result);
  checkpoint_ << result.dump() << '\n';
  checkpoint_.flush();
  if (!checkpoint_) throw ResultStoreError("writing checkpoint " + checkpoint().string() + " failed");
}

void ResultStore::write_final(nlohmann::json document) {
  document["results"] = results_;
  const std::filesystem::path temporary = output_.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << document.dump(1) << '\n';
    out.flush();
    if (!out) throw ResultStoreError("writing " + temporary.string() + " failed; results stay in " + checkpoint().string());
  }
  std::filesystem::rename(temporary, output_);
  checkpoint_.close();
  std::filesystem::remove(checkpoint());
}

}  // namespace scb
