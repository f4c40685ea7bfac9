#pragma once
namespace scb {
// The `scbench` command line; returns the exit code (0 ok, 1 failed cases or no GPU, 2 bad input).
int run_cli(int argc, char** argv);
}  // namespace scb
