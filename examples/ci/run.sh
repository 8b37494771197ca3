#!/usr/bin/env bash
# Runs this folder's scenes against their baselines, as the CI jobs do; with --update it
# rewrites the baselines instead. Usage: examples/ci/run.sh [--update]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
plantwin=$root/build/plantwin
[ -x "$plantwin" ] || { echo "build first: tools/build" >&2; exit 1; }
"$plantwin" check "$here"/scenes/*.yaml --baseline "$here/baselines" --junit "${TMPDIR:-/tmp}/plantwin-check.xml" "$@"
