#!/usr/bin/env bash
# Runs the three layouts (the baseline is the compact straight line) and prints, per layout,
# the conveyor lengths derived from the positions and the throughput and lead time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
plantwin=$root/build/plantwin
[ -x "$plantwin" ] || { echo "build first: tools/build" >&2; exit 1; }
out=$(mktemp -d)/layout-comparison.h5
"$plantwin" run "$here/line.yaml" -o "$out" --quiet
py=python3
python3 -c "import h5py" 2>/dev/null || py=/usr/bin/python3
"$py" - "$out" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
names = f["variants/name"].asstr()[()]
p = f["variants/params"]
# The baseline positions come from the scene; the cases move assembly, c2's start and test.
press = np.zeros(3)
c1 = np.zeros(3)
assembly, c2, test = p["assembly.at"][()], p["c2.at"][()], p["test.at"][()]
mean, ci = f["summary/throughput_per_h/mean"][()], f["summary/throughput_per_h/ci95"][()]
lead = f["summary/lead_time_mean_s/mean"][()]
dmean, dci = f["summary/throughput_per_h/diff_mean"][()], f["summary/throughput_per_h/diff_ci95"][()]
print(f"{'layout':<15} {'c1 [m]':>7} {'c2 [m]':>7} {'throughput [parts/h]':>22} {'vs baseline':>16} {'lead time [s]':>14}")
for v, n in enumerate(names):
    l1 = np.linalg.norm(assembly[v] - c1)
    l2 = np.linalg.norm(test[v] - c2[v])
    print(f"{n:<15} {l1:7.2f} {l2:7.2f} {mean[v]:13.2f} ± {ci[v]:5.2f} {dmean[v]:+8.2f} ± {dci[v]:4.2f} {lead[v]:14.1f}")
PY
