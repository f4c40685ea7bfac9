#!/usr/bin/env bash
# Writes .source-stamp: the commit HEAD and the blob id of every tracked file. A copy of the working tree
# whose .git is missing or stale (the GPU machine's) can then prove at build time, file by file, which
# commit it holds (cmake/build_stamp.cmake checks every blob with git hash-object). Run it before sending
# the tree to another machine, and carry .source-stamp along (it is git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "commit $(git rev-parse --short=12 HEAD)"
  git ls-files -s
} > .source-stamp
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "warning: tracked files differ from HEAD; builds from this tree will say dirty" >&2
fi
echo "stamped $(head -1 .source-stamp)"
