#!/usr/bin/env bash
# Throughput of the two-station line with a growing number of replications, against its
# exact value (see README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
plantwin=$root/build/plantwin
[ -x "$plantwin" ] || { echo "build first: tools/build" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "exact throughput: 56.97 parts/h"
printf "%12s  %s\n" replications "throughput [parts/h], mean ± 95 % half-width"
for r in 5 20 80 320 1280; do
  "$plantwin" run "$root/scenes/two-station-line.yaml" --replications $r --backend cpu -q -o "$tmp/r$r.h5"
  line=$("$plantwin" info "$tmp/r$r.h5" | awk '$1 == "baseline" {print $5, $6, $7}')
  printf "%12d  %s\n" $r "$line"
done
