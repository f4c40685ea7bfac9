#pragma once
// Turns a loaded sweep into the validated list of cases: backend names, params, whether each
// backend can run each case, and mask files. Every problem is a SpecError before any GPU work.
#include <optional>
#include <string>

#include "harness/spec/case.hpp"

namespace scb {

Plan build_plan(const Sweep& sweep);
// Keeps the cases whose key matches the regular expression.
void filter_plan(Plan& plan, const std::string& pattern);
// A summary of the plan; with `list_cases`, one line per case key as well.
std::string describe_plan(const Sweep& sweep, const Plan& plan, bool list_cases);

}  // namespace scb
