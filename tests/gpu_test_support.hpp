#pragma once
#include <gtest/gtest.h>

#include "harness/gpu/device.hpp"

// GPU tests skip, not fail, on machines without a CUDA GPU (CI).
#define SCB_REQUIRE_GPU()                                         \
  do {                                                            \
    const auto scb_probe_ = ::scb::probe_gpu();                   \
    if (!scb_probe_.available) GTEST_SKIP() << scb_probe_.reason; \
  } while (0)
