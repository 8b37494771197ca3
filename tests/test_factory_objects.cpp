// Factory objects (routing, mix, setups, assembly, split, scrap and rework, failure modes,
// operators, shifts, robots) against independent truth: closed forms of queueing and
// reliability theory, exact counts of deterministic lines, and kinematics.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "kernels/flow/flow_state.h"
#include "support.h"

namespace plantwin {
namespace {

using test::run_cpu;
using test::scene_from_text;

constexpr int K = flow::kStationStates;
enum { kW = flow::kWorking, kB = flow::kBlocked, kS = flow::kStarved, kF = flow::kFailed, kSetup = flow::kSetup,
       kWaitOp = flow::kWaitingOperator, kOff = flow::kOffShift };

std::string scene(const std::string& run, const std::string& body) {
  return "plantwin: 1\nname: factory-test\nrun: " + run + "\n" + body;
}

int64_t station(const BatchResults& r, const std::string& name) {
  auto it = std::find(r.station_names.begin(), r.station_names.end(), name);
  REQUIRE(it != r.station_names.end());
  return it - r.station_names.begin();
}
double frac(const BatchResults& r, int64_t lane, int64_t s, int state) {
  const int64_t S = static_cast<int64_t>(r.station_names.size());
  return r.state_fraction[static_cast<size_t>((lane * S + s) * K + state)];
}

// Mean and half-width of a 99.9 % normal interval (3.3 standard errors) over lanes [a, b).
struct Est {
  double mean, half;
};
template <class F>
Est estimate(int64_t a, int64_t b, F value) {
  std::vector<double> x;
  for (int64_t l = a; l < b; ++l) x.push_back(value(l));
  double m = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  double v = 0;
  for (double y : x) v += (y - m) * (y - m);
  v /= static_cast<double>(x.size() - 1);
  return {m, 3.3 * std::sqrt(v / static_cast<double>(x.size()))};
}

TEST_CASE("machine repair: two machines, one or two repair operators, up-fraction 0.6 and 2/3", "[factory]") {
  // Up Exp(mean 1 h), repair Exp(mean 30 min): the birth-death chain of the machine-repair
  // model gives P0 : P1 : P2 = 1 : 1 : 0.5 (one operator) and 1 : 1 : 0.25 (two), so the mean
  // up fraction per machine is (2 P0 + P1) / 2 = 0.6 and 2/3, and the operators are busy
  // P1 + P2 = 0.6 (one) and (P1 + 2 P2) / 2 = 1/3 of the time.
  for (int ops : {1, 2}) {
    INFO(ops << " operator(s)");
    const std::string text = scene("{horizon: 4000h, replications: 10, seed: 11}",
                                   "elements:\n"
                                   "  s1: {type: source, to: m1}\n"
                                   "  s2: {type: source, to: m2}\n"
                                   "  m1: {type: station, process: 10min, failures: {mtbf: {exponential: 1h}, mttr: {exponential: 30min}, repair_by: crew}, to: done}\n"
                                   "  m2: {type: station, process: 10min, failures: {mtbf: {exponential: 1h}, mttr: {exponential: 30min}, repair_by: crew}, to: done}\n"
                                   "  crew: {type: operators, count: " + std::to_string(ops) + "}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    const double up = ops == 1 ? 0.6 : 2.0 / 3.0;
    const double busy = ops == 1 ? 0.6 : 1.0 / 3.0;
    for (const char* m : {"m1", "m2"}) {
      const int64_t s = station(r, m);
      Est e = estimate(0, r.lanes, [&](int64_t l) { return frac(r, l, s, kW); });
      INFO(m << ": up " << e.mean << " +- " << e.half);
      CHECK(std::fabs(e.mean - up) <= e.half + 0.002);
      // Down = failed (being repaired) + waiting for the operator; nothing else.
      for (int64_t l = 0; l < r.lanes; ++l)
        CHECK(frac(r, l, s, kW) + frac(r, l, s, kF) + frac(r, l, s, kWaitOp) == Approx(1.0).margin(1e-9));
    }
    Est b = estimate(0, r.lanes, [&](int64_t l) { return r.operator_utilisation[static_cast<size_t>(l)]; });
    INFO("operators busy " << b.mean << " +- " << b.half);
    CHECK(std::fabs(b.mean - busy) <= b.half + 0.002);
  }
}

TEST_CASE("calendar-time failures: failed fraction MTTR / (MTBF + MTTR) even while idle", "[factory]") {
  // The station is idle most of the time; calendar failures strike anyway.
  const std::string text = scene("{horizon: 4000h, replications: 10, seed: 5}",
                                 "elements:\n"
                                 "  src: {type: source, interarrival: {exponential: 10min}, to: m1}\n"
                                 "  m1: {type: station, process: {exponential: 2min}, failures: {mtbf: {exponential: 2h}, mttr: {exponential: 30min}, basis: calendar}, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  Est e = estimate(0, r.lanes, [&](int64_t l) { return frac(r, l, 0, kF); });
  INFO("failed " << e.mean << " +- " << e.half);
  CHECK(std::fabs(e.mean - 0.2) <= e.half + 0.002);
}

TEST_CASE("probability routing splits flow by the weights; round robin alternates exactly", "[factory]") {
  SECTION("probability 0.3 / 0.7") {
    const std::string text = scene("{horizon: 100000s, replications: 4, seed: 2}",
                                   "elements:\n"
                                   "  src: {type: source, interarrival: 10s, to: [a, b], routing: probability, weights: [3, 7]}\n"
                                   "  a: {type: station, process: 1s, to: done}\n"
                                   "  b: {type: station, process: 1s, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    for (int64_t l = 0; l < r.lanes; ++l) {
      // Each part works exactly 1 s at its station: the working time counts the parts.
      double na = frac(r, l, station(r, "a"), kW) * 100000, nb = frac(r, l, station(r, "b"), kW) * 100000;
      double n = na + nb;
      INFO("a " << na << ", b " << nb);
      CHECK(n == Approx(10000).margin(1.5));
      CHECK(std::fabs(na / n - 0.3) <= 4 * std::sqrt(0.3 * 0.7 / n));
    }
  }
  SECTION("round robin feeds a fast and a slow station in strict turns") {
    // Strict turns: the fast station (10 s) waits for the slow one (30 s): it gets exactly
    // every other part, so it works 10 s of every 30 s.
    const std::string text = scene("{horizon: 3000s, warmup: 300s}",
                                   "elements:\n"
                                   "  src: {type: source, to: [fast, slow], routing: round_robin}\n"
                                   "  fast: {type: station, process: 10s, to: done}\n"
                                   "  slow: {type: station, process: 30s, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    CHECK(frac(r, 0, station(r, "fast"), kW) == Approx(1.0 / 3).margin(1e-9));
    CHECK(frac(r, 0, station(r, "slow"), kW) == Approx(1.0).margin(1e-9));
    CHECK(r.produced[0] == 200);  // two parts per 30 s
  }
  SECTION("shortest queue sends parts where they are served first") {
    const std::string text = scene("{horizon: 3000s, warmup: 300s}",
                                   "elements:\n"
                                   "  src: {type: source, to: [fast, slow], routing: shortest_queue}\n"
                                   "  fast: {type: station, process: 10s, to: done}\n"
                                   "  slow: {type: station, process: 30s, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    // Both always busy: 1/10 + 1/30 parts per second.
    CHECK(frac(r, 0, station(r, "fast"), kW) == Approx(1.0).margin(1e-9));
    CHECK(frac(r, 0, station(r, "slow"), kW) == Approx(1.0).margin(1e-9));
    CHECK(r.produced[0] == 400);
  }
}

TEST_CASE("assembly: output = min over inputs of supply / bill-of-materials quantity", "[factory]") {
  const std::string text = scene("{horizon: 1h}",
                                 "parts: {housing: {}, screw: {}, unit: {}}\n"
                                 "elements:\n"
                                 "  h: {type: source, part: housing, limit: 10, to: asm}\n"
                                 "  s: {type: source, part: screw, limit: 30, to: asm}\n"
                                 "  asm: {type: assembly, inputs: {housing: 1, screw: 4}, part: unit, process: 10s, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  CHECK(r.produced[0] == 7);  // min(10 / 1, 30 / 4)
  REQUIRE(r.part_names.size() == 3);
  CHECK(r.produced_by_part[2] == 7);  // all of them units
  CHECK(r.produced_by_part[0] == 0);
  // The kit of the 8th unit holds a housing and the last 2 screws; the 9th housing never
  // leaves its source (the kit needs no second one).
  CHECK(r.source_released[0] == 8);
  CHECK(r.source_released[1] == 30);
}

TEST_CASE("split: one part in, its outputs out, lead time from the original release", "[factory]") {
  const std::string text = scene("{horizon: 1000s}",
                                 "parts: {sheet: {}, panel: {}, frame: {}}\n"
                                 "elements:\n"
                                 "  src: {type: source, part: sheet, to: cut}\n"
                                 "  cut: {type: split, outputs: {panel: 3, frame: 1}, process: 10s, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  CHECK(r.produced[0] == 400);  // 100 sheets cut
  CHECK(r.produced_by_part[1] == 300);
  CHECK(r.produced_by_part[2] == 100);
  CHECK(r.lead_time_mean_s[0] == Approx(10));
}

TEST_CASE("setups: exactly one setup per change of part type", "[factory]") {
  SECTION("alternating a, b with a constant setup") {
    // a(10) s(5) b(10) s(5) a(10)...: completions at 10, 25, 40, ... 2995 -> 200 parts; the
    // 200th setup ends exactly at 3000 s.
    const std::string text = scene("{horizon: 3000s}",
                                   "parts: {a: {}, b: {}}\n"
                                   "elements:\n"
                                   "  src: {type: source, sequence: [a, b], to: m1}\n"
                                   "  m1: {type: station, process: 10s, setup: 5s, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    CHECK(r.produced[0] == 200);
    CHECK(frac(r, 0, 0, kSetup) == Approx(1000.0 / 3000).margin(1e-12));
    CHECK(frac(r, 0, 0, kW) == Approx(2000.0 / 3000).margin(1e-12));
  }
  SECTION("a, a, b with a from-to table: two changes per three parts") {
    // a a (a->b 5) b (b->a 7) | a a ...: 42 s per three parts.
    const std::string text = scene("{horizon: 4200s}",
                                   "parts: {a: {}, b: {}}\n"
                                   "elements:\n"
                                   "  src: {type: source, sequence: [a, a, b], to: m1}\n"
                                   "  m1: {type: station, process: 10s, setup: {table: {a: {b: 5s}, b: {a: 7s}}}, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    CHECK(r.produced[0] == 300);
    CHECK(frac(r, 0, 0, kSetup) == Approx(1200.0 / 4200).margin(1e-12));
  }
}

TEST_CASE("product mix with part-dependent process times", "[factory]") {
  // 25 % a (10 s), 75 % b (30 s): a saturated station finishes a part every 25 s on average.
  const std::string text = scene("{horizon: 100000s, replications: 4, seed: 9}",
                                 "parts: {a: {}, b: {}}\n"
                                 "elements:\n"
                                 "  src: {type: source, mix: {a: 1, b: 3}, to: m1}\n"
                                 "  m1: {type: station, process: {by_part: {a: 10s, b: 30s}}, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  for (int64_t l = 0; l < r.lanes; ++l) {
    const double n = static_cast<double>(r.produced[l]);
    const double na = static_cast<double>(r.produced_by_part[static_cast<size_t>(l) * 2]);
    INFO("lane " << l << ": " << n << " parts, " << na << " of type a");
    CHECK(std::fabs(n - 4000) <= 90);  // sd of the count ~ 22
    CHECK(std::fabs(na / n - 0.25) <= 4 * std::sqrt(0.25 * 0.75 / n));
    // Exact bookkeeping: 10 s per a, 30 s per b, and the part in process at the end.
    const double work = 10 * na + 30 * (n - na);
    CHECK(work <= 100000 + 1e-6);
    CHECK(work >= 100000 - 30 - 1e-6);
  }
}

TEST_CASE("scrap and rework", "[factory]") {
  SECTION("scrap 0.1: a tenth of the processed parts never reach the sink") {
    const std::string text = scene("{horizon: 100000s, replications: 4, seed: 4}",
                                   "elements:\n"
                                   "  src: {type: source, to: m1}\n"
                                   "  m1: {type: station, process: 10s, scrap: 0.1, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    for (int64_t l = 0; l < r.lanes; ++l) {
      CHECK(r.produced[l] + r.station_scrapped[static_cast<size_t>(l)] == 10000);
      CHECK(std::fabs(static_cast<double>(r.produced[l]) - 9000) <= 4 * std::sqrt(10000 * 0.09));
      CHECK(r.station_quality[static_cast<size_t>(l)] == Approx(r.produced[l] / 10000.0));
    }
  }
  SECTION("rework 0.2 back through a buffer: each part is processed 1 / 0.8 times on average") {
    // Reworked parts queue in their own buffer (a loop through the full feed buffer could
    // deadlock, as it would on the shop floor); m1 merges both, longest-waiting first.
    const std::string text = scene("{horizon: 100000s, replications: 4, seed: 4}",
                                   "elements:\n"
                                   "  src: {type: source, to: b}\n"
                                   "  b: {type: buffer, capacity: 5, to: m1}\n"
                                   "  rb: {type: buffer, capacity: inf, to: m1}\n"
                                   "  m1: {type: station, process: 10s, rework: {p: 0.2, to: rb}, to: done}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    for (int64_t l = 0; l < r.lanes; ++l) {
      const int64_t rw = r.station_reworked[static_cast<size_t>(l)];
      CHECK(r.produced[l] + rw == 10000);  // every 10 s a part leaves m1, onwards or back
      CHECK(std::fabs(static_cast<double>(r.produced[l]) - 8000) <= 4 * std::sqrt(10000 * 0.16));
    }
  }
}

TEST_CASE("operators: a shared worker serialises two stations", "[factory]") {
  for (int ops : {1, 2}) {
    INFO(ops << " operator(s)");
    const std::string text = scene("{horizon: 1000s}",
                                   "elements:\n"
                                   "  s1: {type: source, to: m1}\n"
                                   "  s2: {type: source, to: m2}\n"
                                   "  m1: {type: station, process: 10s, operators: {process: crew}, to: done}\n"
                                   "  m2: {type: station, process: 10s, operators: {process: crew}, to: done}\n"
                                   "  crew: {type: operators, count: " + std::to_string(ops) + "}\n"
                                   "  done: {type: sink}\n");
    BatchResults r = run_cpu(text);
    CHECK(r.produced[0] == 100 * ops);
    CHECK(frac(r, 0, 0, kWaitOp) + frac(r, 0, 1, kWaitOp) == Approx(ops == 1 ? 1.0 : 0.0).margin(1e-9));
    CHECK(r.operator_utilisation[0] == Approx(1.0).margin(1e-9));
  }
}

TEST_CASE("shifts: a line that works 8 h of 24 makes a third of the output", "[factory]") {
  const std::string body =
      "elements:\n"
      "  src: {type: source, to: m1}\n"
      "  m1: {type: station, process: 60s, to: m2}\n"
      "  m2: {type: station, process: 60s, to: done}\n"
      "  done: {type: sink}\n";
  BatchResults all = run_cpu(scene("{horizon: 72h}", body));
  BatchResults shifts = run_cpu(scene("{horizon: 72h}", "shifts: {period: 24h, work: [[6h, 14h]]}\n" + body));
  // Without shifts m2 finishes a part at 120 s, then every 60 s: 4319 in 72 h.
  CHECK(all.produced[0] == 4319);
  // 6h-14h: 479 parts on the first day (the line fills, as above); the part m2 holds at 14h
  // resumes at the next shift, so each later day delivers 480.
  CHECK(shifts.produced[0] == 479 + 480 + 480);
  CHECK(std::abs(3 * shifts.produced[0] - all.produced[0]) <= 3);
  CHECK(frac(shifts, 0, 0, kOff) == Approx(2.0 / 3).margin(1e-12));
  // Breaks are subtracted from work.
  BatchResults brk = run_cpu(scene("{horizon: 24h}", "shifts: {period: 24h, work: [[6h, 14h]], breaks: [[10h, 11h]]}\n" + body));
  CHECK(frac(brk, 0, 0, kOff) == Approx(17.0 / 24).margin(1e-12));
}

TEST_CASE("robot: a transfer's cycle is the trapezoid travel time, and moves with the layout", "[factory]") {
  // Gripper starts at the source (the robot's base); each part: grip, carry d, release, return d.
  const double v = 1.0, a = 2.0, grip = 0.5, rel = 0.25, H = 1000;
  auto travel = [&](double d) { return d >= v * v / a ? d / v + v / a : 2 * std::sqrt(d / a); };
  auto expected = [&](double d) {
    double first = grip + travel(d) + rel, cycle = 2 * travel(d) + grip + rel;
    return static_cast<int64_t>(1 + std::floor((H - first) / cycle + 1e-9));
  };
  CHECK(trapezoid_time(3, v, a) == Approx(3.5));                    // cruise: d/v + v/a
  CHECK(trapezoid_time(0.3, v, a) == Approx(2 * std::sqrt(0.15)));  // never reaches top speed
  CHECK(trapezoid_time(0.5, v, a) == Approx(1.0));                  // exactly v^2/a: both agree
  const std::string text = scene("{horizon: 1000s}",
                                 "elements:\n"
                                 "  src: {type: source, at: [0, 0, 0], to: done}\n"
                                 "  done: {type: sink, at: [3, 0, 0]}\n"
                                 "  arm: {type: robot, at: [0, 0, 0], reach: 5, speed: 1, acceleration: 2, grip: 0.5s, release: 0.25s,\n"
                                 "        transfers: [{from: src, to: done}]}\n"
                                 "variants:\n"
                                 "  cases:\n"
                                 "    - {name: short-move, set: {done.at: [0.3, 0, 0]}}\n"
                                 "    - {name: diagonal, set: {done.at: [2, 2, 1]}}\n");
  BatchResults r = run_cpu(text);
  REQUIRE(r.lanes == 3);
  CHECK(r.produced[0] == expected(3));
  CHECK(r.produced[1] == expected(0.3));
  CHECK(r.produced[2] == expected(3));  // |(2, 2, 1)| = 3
  CHECK(r.robot_utilisation[0] == Approx(1.0).margin(1e-9));
}

TEST_CASE("bottleneck: the clearly slowest station is named; state fractions sum to 1", "[factory]") {
  const std::string text = scene("{horizon: 8h, warmup: 1h, replications: 40, seed: 21}",
                                 "elements:\n"
                                 "  src: {type: source, to: m1}\n"
                                 "  m1: {type: station, process: {exponential: 40s}, to: b1}\n"
                                 "  b1: {type: buffer, capacity: 5, to: m2}\n"
                                 "  m2: {type: station, process: {exponential: 70s}, to: b2}\n"
                                 "  b2: {type: buffer, capacity: 5, to: m3}\n"
                                 "  m3: {type: station, process: {exponential: 40s}, failures: {mtbf: 2h, mttr: 5min}, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  const int64_t m2 = station(r, "m2");
  INFO("share of m2: " << r.bottleneck_share[static_cast<size_t>(m2)]);
  CHECK(r.bottleneck_share[static_cast<size_t>(m2)] >= 0.95);
  for (int64_t l = 0; l < r.lanes; ++l)
    for (int64_t s = 0; s < 3; ++s) {
      double sum = 0;
      for (int k = 0; k < K; ++k) sum += frac(r, l, s, k);
      CHECK(sum == Approx(1.0).margin(1e-9));
    }
}

TEST_CASE("lead-time percentiles of M/M/1: the sojourn time is exponential with rate mu - lambda", "[factory]") {
  // lambda = 1/60 s, mu = 1/40 s: sojourn Exp(mean 120 s): p50 = 120 ln 2, p90 = 120 ln 10,
  // p95 = 120 ln 20.
  const std::string text = scene("{horizon: 400h, warmup: 10h, replications: 8, seed: 17}",
                                 "elements:\n"
                                 "  src: {type: source, interarrival: {exponential: 60s}, to: q}\n"
                                 "  q: {type: buffer, capacity: inf, to: m1}\n"
                                 "  m1: {type: station, process: {exponential: 40s}, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(text);
  struct Q { const std::vector<double>* v; double exact; const char* name; };
  for (Q q : {Q{&r.lead_time_p50_s, 120 * std::log(2.0), "p50"}, Q{&r.lead_time_p90_s, 120 * std::log(10.0), "p90"},
              Q{&r.lead_time_p95_s, 120 * std::log(20.0), "p95"}}) {
    Est e = estimate(0, r.lanes, [&](int64_t l) { return (*q.v)[static_cast<size_t>(l)]; });
    INFO(q.name << ": " << e.mean << " +- " << e.half << " vs " << q.exact);
    // Histogram bins are at most 6.25 % wide; interpolation inside them is far better.
    CHECK(std::fabs(e.mean - q.exact) <= e.half + 0.02 * q.exact);
  }
  for (int64_t l = 0; l < r.lanes; ++l) CHECK(r.lead_time_max_s[l] >= r.lead_time_p95_s[l]);
}

TEST_CASE("factory objects are deterministic over threads and chunks", "[factory]") {
  const std::string text = scene("{horizon: 8h, warmup: 30min, replications: 12, seed: 3}",
                                 "parts: {a: {}, b: {}, kit: {}}\n"
                                 "shifts: {period: 8h, work: [[0h, 7h]]}\n"
                                 "elements:\n"
                                 "  src: {type: source, interarrival: {exponential: 50s}, mix: {a: 2, b: 1}, to: b0}\n"
                                 "  b0: {type: buffer, capacity: 4, to: [m1, m2], routing: shortest_queue}\n"
                                 "  m1: {type: station, process: {by_part: {a: {exponential: 60s}, b: {exponential: 80s}}}, setup: 20s,\n"
                                 "       failures: [{name: jam, mtbf: {exponential: 1h}, mttr: {exponential: 4min}},\n"
                                 "                  {name: tool, mtbf: {exponential: 3h}, mttr: {exponential: 10min}, basis: calendar, repair_by: crew}],\n"
                                 "       scrap: 0.02, rework: {p: 0.05, to: b0}, to: b1}\n"
                                 "  m2: {type: station, process: {exponential: 70s}, operators: {process: crew}, to: b1}\n"
                                 "  b1: {type: buffer, capacity: 6, to: out}\n"
                                 "  out: {type: station, at: [0, 0, 0], process: 5s, to: done}\n"
                                 "  done: {type: sink, at: [1, 1, 0]}\n"
                                 "  crew: {type: operators, count: 1}\n"
                                 "  arm: {type: robot, at: [0.5, 0.5, 0], reach: 2, speed: 1, acceleration: 1, transfers: [{from: out, to: done}]}\n");
  Scene s = scene_from_text(text);
  BatchResults one = run_cpu(s, 1);
  BatchResults two = run_cpu(s, 2);
  BatchResults chunks = run_cpu(s, 2, 5);
  test::check_identical(one, two);
  test::check_identical(one, chunks);
  CHECK(test::same_bits(one.station_oee, two.station_oee));
  CHECK(test::same_bits(one.lead_time_p90_s, chunks.lead_time_p90_s));
  CHECK(std::accumulate(one.produced.begin(), one.produced.end(), int64_t(0)) > 0);
}

}  // namespace
}  // namespace plantwin

namespace plantwin {
namespace {

TEST_CASE("a rework loop into the full buffer feeding the same station deadlocks, and is reported", "[factory]") {
  // m1 holds a part for rework into b; b is full and can only hand on to m1: nothing can move.
  const std::string dead = scene("{horizon: 8h, replications: 3}",
                                 "elements:\n"
                                 "  src: {type: source, to: b}\n"
                                 "  b: {type: buffer, capacity: 2, to: m1}\n"
                                 "  m1: {type: station, process: {exponential: 10s}, rework: {p: 0.5, to: b}, to: done}\n"
                                 "  done: {type: sink}\n");
  BatchResults r = run_cpu(dead);
  for (int64_t l = 0; l < r.lanes; ++l) {
    CHECK(std::isfinite(r.deadlock_at_s[l]));
    CHECK(r.deadlock_at_s[l] < 8 * 3600);
  }
  // The same line with its own rework queue never deadlocks.
  const std::string alive = scene("{horizon: 8h, replications: 3}",
                                  "elements:\n"
                                  "  src: {type: source, to: b}\n"
                                  "  b: {type: buffer, capacity: 2, to: m1}\n"
                                  "  rq: {type: buffer, capacity: inf, to: m1}\n"
                                  "  m1: {type: station, process: {exponential: 10s}, rework: {p: 0.5, to: rq}, to: done}\n"
                                  "  done: {type: sink}\n");
  BatchResults a = run_cpu(alive);
  for (int64_t l = 0; l < a.lanes; ++l) CHECK(std::isnan(a.deadlock_at_s[l]));
}

}  // namespace
}  // namespace plantwin
