#pragma once
// The commit the binary was built from, read at build time (not configure time): a result document
// names the code that really produced it. Defined in a file that cmake/build_stamp.cmake writes.

namespace scb {

const char* build_git_commit();  // 12 hex digits, or "unknown" outside a git checkout
bool build_git_dirty();          // tracked files differed from that commit when it was built
// SHA-256 (16 hex digits) of kernels/ and harness/backends/ as built: what tuned choices depend on.
const char* build_source_hash();

}  // namespace scb
