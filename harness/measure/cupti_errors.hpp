#pragma once
// CUPTI failures in words a user can act on (kernel trace and counters share them).
#include <cupti.h>

#include <string>

namespace scb {

// "call: CUPTI_ERROR_..." plus the likely cause for the errors that mean "not on this machine".
std::string cupti_failure(const char* call, CUptiResult result);

}  // namespace scb
