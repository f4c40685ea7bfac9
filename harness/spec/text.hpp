#pragma once
// Words for messages: lists joined for display, and "did you mean" suggestions.
#include <cstddef>
#include <string>
#include <vector>

namespace scb {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `word`, or "" when none is near enough to be a plausible typo.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& words, const std::string& separator);

}  // namespace scb
