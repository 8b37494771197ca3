#!/usr/bin/python3
"""The peer of plantwin's flow kernel in SimPy: a serial line as SimPy users write it.

One process per station, a simpy.Store per finite buffer, failures inline in the station's
process. The line is read from a plantwin scene of the shape of scenes/ten-station-line.yaml
(a saturated source, then station, buffer, station, ... , station, sink), so both sides run
the same numbers. It follows plantwin's rules (docs/scene-format.md):

- the first station always has a part (saturated source);
- a station works one part; the time to failure counts down only while it processes; a failure
  interrupts the part, which resumes after the repair with its remaining time;
- a finished part waits in the station until the next buffer has room (blocking after
  service); a buffer of capacity N holds N parts besides those in the stations;
- throughput counts the parts that reach the sink after the warm-up, per hour of horizon.

Usage: serial_line_simpy.py SCENE [--replications R] [--seed S] [--json]
Prints the mean throughput [parts/h] with its 95 % confidence half-width, and the wall time.
"""
import argparse
import json
import math
import random
import re
import statistics
import sys
import time

import simpy
import yaml

UNITS = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def seconds(v):
    """A scene duration ("42 s", "6 h", 30) in seconds."""
    if isinstance(v, (int, float)):
        return float(v)
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(ms|s|min|h|d)?\s*", str(v))
    if not m:
        raise ValueError(f"not a duration: {v!r}")
    return float(m.group(1)) * UNITS[m.group(2) or "s"]


def sampler(spec, rng):
    """A function drawing from a scene distribution (the families the reference line uses)."""
    if not isinstance(spec, dict):
        c = seconds(spec)
        return lambda: c
    (family, p), = spec.items()
    if family == "exponential":
        mean = seconds(p)
        return lambda: rng.expovariate(1.0 / mean)
    if family == "triangular":
        lo, mode, hi = (seconds(x) for x in p)
        return lambda: rng.triangular(lo, hi, mode)
    if family == "uniform":
        lo, hi = (seconds(x) for x in p)
        return lambda: rng.uniform(lo, hi)
    if family == "lognormal":
        mean, cv = seconds(p["mean"]), float(p["cv"])
        s2 = math.log(1.0 + cv * cv)
        mu, sigma = math.log(mean) - s2 / 2.0, math.sqrt(s2)
        return lambda: rng.lognormvariate(mu, sigma)
    raise ValueError(f"distribution {family} is not in this peer")


def serial_line(scene):
    """The stations and buffers of a serial line, in flow order."""
    els = scene["elements"]
    src = next(n for n, e in els.items() if e["type"] == "source")
    stations, buffers = [], []
    cur = els[src]["to"]
    while els[cur]["type"] != "sink":
        e = els[cur]
        if e["type"] == "station":
            stations.append(e)
        elif e["type"] == "buffer":
            buffers.append(int(e["capacity"]))
        else:
            raise ValueError(f"{cur}: a {e['type']} is not in this peer")
        cur = e["to"]
    if len(buffers) != len(stations) - 1:
        raise ValueError("expected station, buffer, station, ..., station")
    return stations, buffers


def station(env, rng, spec, inbox, outbox, done, warmup):
    """One station: take a part, work it (failing and resuming), pass it on when there is room."""
    process = sampler(spec["process"], rng)
    f = spec.get("failures")
    mtbf = sampler(f["mtbf"], rng) if f else None
    mttr = sampler(f["mttr"], rng) if f else None
    to_failure = mtbf() if f else math.inf
    while True:
        if inbox is not None:
            yield inbox.get()
        left = process()
        while left > 0:
            if to_failure >= left:
                yield env.timeout(left)
                to_failure -= left
                left = 0.0
            else:
                yield env.timeout(to_failure)
                left -= to_failure
                yield env.timeout(mttr())  # repair
                to_failure = mtbf()
        if outbox is not None:
            yield outbox.put(1)
        elif env.now >= warmup:
            done[0] += 1


def replication(stations, buffers, warmup, horizon, seed):
    """Throughput [parts/h] of one replication."""
    rng = random.Random(seed)
    env = simpy.Environment()
    stores = [simpy.Store(env, capacity=c) for c in buffers]
    done = [0]
    for k, spec in enumerate(stations):
        inbox = stores[k - 1] if k > 0 else None
        outbox = stores[k] if k < len(stores) else None
        env.process(station(env, rng, spec, inbox, outbox, done, warmup))
    env.run(until=warmup + horizon)
    return done[0] / horizon * 3600.0


def run(scene_path, replications, seed=1):
    with open(scene_path) as f:
        scene = yaml.safe_load(f)
    stations, buffers = serial_line(scene)
    warmup, horizon = seconds(scene["run"].get("warmup", 0)), seconds(scene["run"]["horizon"])
    t0 = time.perf_counter()
    tp = [replication(stations, buffers, warmup, horizon, seed * 1000003 + r) for r in range(replications)]
    wall = time.perf_counter() - t0
    mean = statistics.fmean(tp)
    sd = statistics.stdev(tp) if len(tp) > 1 else math.nan
    half = 1.96 * sd / math.sqrt(len(tp))
    return {"replications": replications, "throughput_per_h": mean, "sd": sd, "half_width": half, "seconds": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scene")
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args()
    r = run(a.scene, a.replications, a.seed)
    if a.json:
        print(json.dumps(r))
    else:
        print(f"SimPy {simpy.__version__}: {r['replications']} replications, throughput "
              f"{r['throughput_per_h']:.3f} ± {r['half_width']:.3f} parts/h (95 %), {r['seconds']:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
