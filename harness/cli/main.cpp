#include "harness/cli/commands.hpp"

int main(int argc, char** argv) { return scb::run_cli(argc, argv); }
