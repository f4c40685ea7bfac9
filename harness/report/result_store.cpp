#include "harness/report/result_store.hpp"

#include <cstdio>

#include "harness/report/json_file.hpp"

namespace scb {

namespace {

constexpr char kIdentityKey[] = "checkpoint_of";

RunIdentity identity_of_document(const nlohmann::json& document) {
  RunIdentity found;
  if (document.contains("sweep")) found.sweep_hash = document["sweep"].value("hash", "");
  if (document.contains("tool")) found.tool_version = document["tool"].value("version", "");
  return found;
}

}  // namespace

std::filesystem::path ResultStore::checkpoint_path(const std::filesystem::path& output) {
  return output.string() + ".partial.jsonl";
}

ResultStore::ResultStore(std::filesystem::path output, RunIdentity identity, ResumeOptions options)
    : output_(std::move(output)), identity_(std::move(identity)) {
  if (output_.has_parent_path()) std::filesystem::create_directories(output_.parent_path());
  const bool had_checkpoint = std::filesystem::exists(checkpoint());
  if (options.resume) {
    load_existing(options.accept_other_identity);
    if (options.retry_unsuccessful) drop_unsuccessful();
    resumed_ = results_.size();
  } else if (had_checkpoint) {
    throw ResultStoreError("an unfinished run left results in " + checkpoint().string() +
                           "; continue it with --resume, or delete that file to start over");
  }
  // Rewritten whole (atomically), with this run's identity first: a line cut by a crash would otherwise
  // swallow the next appended result, and a resumed document must not depend on the old files.
  rewrite_checkpoint();
  checkpoint_.open(checkpoint(), std::ios::app);
  if (!checkpoint_) throw ResultStoreError("cannot write checkpoint " + checkpoint().string());
}

void ResultStore::rewrite_checkpoint() const {
  const std::filesystem::path temporary = checkpoint().string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << nlohmann::json{{kIdentityKey, identity_.to_json()}}.dump() << '\n';
    for (const auto& r : results_) out << r.dump() << '\n';
    out.flush();
    if (!out) throw ResultStoreError("writing " + temporary.string() + " failed");
  }
  std::filesystem::rename(temporary, checkpoint());
}

void ResultStore::keep(const nlohmann::json& result) {
  const std::string key = result.at("case").at("key").get<std::string>();
  const auto [it, inserted] = finished_.emplace(key, results_.size());
  if (inserted)
    results_.push_back(result);
  else
    results_[it->second] = result;
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

void ResultStore::check_identity(const RunIdentity& found, const std::string& source,
                                 bool accept_other_identity) const {
  std::string differences;
  if (found.sweep_hash != identity_.sweep_hash)
    differences += "sweep hash " + (found.sweep_hash.empty() ? std::string("(not recorded)") : found.sweep_hash) +
                   ", this sweep's is " + identity_.sweep_hash;
  if (found.tool_version != identity_.tool_version)
    differences += std::string(differences.empty() ? "" : "; ") + "scbench version " +
                   (found.tool_version.empty() ? std::string("(not recorded)") : found.tool_version) +
                   ", this one is " + identity_.tool_version;
  if (differences.empty()) return;
  if (accept_other_identity) {
    std::fprintf(stderr, "warning: keeping results of %s although it differs (%s)\n", source.c_str(),
                 differences.c_str());
    return;
  }
  throw ResultStoreError("cannot resume from " + source + ": it was written by another run (" + differences +
                         "); its results would not be comparable. Start over with another -o, or pass "
                         "--resume-any to keep them anyway");
}

void ResultStore::load_existing(bool accept_other_identity) {
  if (std::filesystem::exists(output_)) {
    try {
      const auto document = read_json_file(output_);
      check_identity(identity_of_document(document), output_.string(), accept_other_identity);
      for (const auto& r : document.at("results")) keep(r);
    } catch (const ResultStoreError&) {
      throw;
    } catch (const std::exception& e) {
      throw ResultStoreError("cannot resume from " + output_.string() + ": " + e.what());
    }
  }
  if (std::filesystem::exists(checkpoint())) {
    std::ifstream in(checkpoint());
    std::size_t line_number = 0;
    bool identity_seen = false;
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      if (line.empty()) continue;
      nlohmann::json entry;
      try {
        entry = nlohmann::json::parse(line);
        if (!entry.contains(kIdentityKey) && !entry.contains("case")) throw std::runtime_error("not a result");
      } catch (const std::exception&) {
        // A line cut short by a crash: that case simply runs again.
        std::fprintf(stderr, "warning: %s:%zu is not a complete result; that case will run again\n",
                     checkpoint().string().c_str(), line_number);
        continue;
      }
      if (entry.contains(kIdentityKey)) {
        const auto& id = entry[kIdentityKey];
        check_identity({id.value("sweep_hash", ""), id.value("tool_version", "")}, checkpoint().string(),
                       accept_other_identity);
        identity_seen = true;
        continue;
      }
      if (!identity_seen) {
        check_identity({}, checkpoint().string(), accept_other_identity);
        identity_seen = true;
      }
      keep(entry);
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
  try {
    write_text_file_atomically(output_, document.dump(1) + "\n");
  } catch (const std::exception& e) {
    throw ResultStoreError(std::string(e.what()) + "; results stay in " + checkpoint().string());
  }
  checkpoint_.close();
  std::filesystem::remove(checkpoint());
}

}  // namespace scb
