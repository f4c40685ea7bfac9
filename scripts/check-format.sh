#!/usr/bin/env bash
# Fails when a C++ or CUDA file differs from .clang-format's style; prints the files and how to fix them.
# Usage: bash scripts/check-format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null 2>&1; then
  echo "installing clang-format"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq clang-format >/dev/null
fi
mapfile -t files < <(git ls-files 'harness/*' 'kernels/*' 'tests/*' 'bench/*' | grep -E '\.(cpp|hpp|cu|cuh)$')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not formatted: %s\n' "${bad[@]}"
  echo "fix: bash scripts/check-format.sh --fix   ($(clang-format --version))"
  exit 1
fi
echo "format: ${#files[@]} files follow .clang-format"
