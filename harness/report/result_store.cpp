#include "harness/report/result_store.hpp"

#include <cstdio>

namespace scb {

std::filesystem::path ResultStore::checkpoint_path(const std::filesystem::path& output) {
  return output.string() + ".partial.jsonl";
}

ResultStore::ResultStore(std::filesystem::path output, bool resume) : output_(std::move(output)) {
  if (output_.has_parent_path()) std::filesystem::create_directories(output_.parent_path());
  const bool had_checkpoint = std::filesystem::exists(checkpoint());
  if (resume) {
    load_existing();
  } else if (had_checkpoint) {
    throw ResultStoreError("an unfinished run left results in " + checkpoint().string() +
                           "; continue it with --resume, or delete that file to start over");
  }
  checkpoint_.open(checkpoint(), std::ios::app);
  if (!checkpoint_) throw ResultStoreError("cannot write checkpoint " + checkpoint().string());
  // A resumed final document is re-checkpointed so that nothing depends on it any more.
  if (resume && !had_checkpoint)
    for (const auto& r : results_) checkpoint_ << r.dump() << '\n';
  checkpoint_.flush();
}

void ResultStore::keep(const nlohmann::json& result) {
  const std::string key = result.at("case").at("key").get<std::string>();
  if (finished_.insert(key).second) results_.push_back(result);
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
  resumed_ = results_.size();
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
