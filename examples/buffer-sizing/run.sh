#!/usr/bin/env bash
# Finds the smallest total buffer (b1 + b2) whose throughput reaches the target with 95 %
# confidence (lower end of the confidence interval at or above the target).
# Usage: examples/buffer-sizing/run.sh [TARGET_PARTS_PER_H]   (default 72)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:-72}
plantwin=$root/build/plantwin
[ -x "$plantwin" ] || { echo "build first: tools/build" >&2; exit 1; }
out=$(mktemp -d)/buffer-sizing.h5
"$plantwin" run "$here/line.yaml" -o "$out" --quiet
py=python3
python3 -c "import h5py" 2>/dev/null || py=/usr/bin/python3
"$py" - "$out" "$target" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
target = float(sys.argv[2])
names = f["variants/name"].asstr()[()]
b1 = f["variants/params/b1.capacity"][()]
b2 = f["variants/params/b2.capacity"][()]
mean = f["summary/throughput_per_h/mean"][()]
ci = f["summary/throughput_per_h/ci95"][()]
print(f"target: {target:g} parts/h; {len(names)} variants x {f.attrs['replications']} replications of {f.attrs['horizon_s']/3600:g} h")
print(f"{'b1':>4} {'b2':>4} {'total':>6} {'throughput [parts/h]':>22}")
ok = [i for i in range(1, len(names)) if mean[i] - ci[i] >= target]
for i in range(1, len(names)):
    mark = "  meets target" if i in ok else ""
    print(f"{b1[i]:4.0f} {b2[i]:4.0f} {b1[i]+b2[i]:6.0f} {mean[i]:12.2f} ± {ci[i]:5.2f}{mark}")
if not ok:
    print("no buffer pair reaches the target with 95 % confidence")
    sys.exit(0)
best = min(ok, key=lambda i: (b1[i] + b2[i], -mean[i]))
print(f"\nsmallest total buffer reaching {target:g} parts/h: b1 = {b1[best]:.0f}, b2 = {b2[best]:.0f} "
      f"(total {b1[best]+b2[best]:.0f}), throughput {mean[best]:.2f} ± {ci[best]:.2f} parts/h")
PY
