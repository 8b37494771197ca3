// The `variants:` block (shared/spec/scene-format.md, "Variants"): the loader's checks,
// expand_variants' order, names and sample designs, and apply_variant.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/scene/scene_loader.h"
#include "engine/variants/variant_set.h"

using namespace plantwin;

namespace {

// Lines 1-10; a test's variants block starts on line 11.
const std::string kScene = R"(plantwin: 1
name: v
run: {horizon: 1h, seed: 7}
elements:
  src: {type: source, to: c1, at: [0, 0, 0]}
  c1: {type: conveyor, speed: 0.5, at: [0, 0, 0], to: m1}
  m1: {type: station, process: {triangular: [10s, 20s, 30s]}, at: [3, 4, 0], to: b1}
  b1: {type: buffer, capacity: 5, to: m2}
  m2: {type: station, process: {normal: {mean: 30s, sd: 3s}}, to: done}
  done: {type: sink}
)";

Scene load(const std::string& variants) {
  LoadResult r = load_scene_text(kScene + variants, "t.yaml");
  std::string all;
  for (const auto& d : r.diagnostics.sorted()) all += d.format() + "\n";
  INFO(all);
  REQUIRE(r.scene);
  return *r.scene;
}

std::vector<std::string> errors(const Diagnostics& diag) {
  std::vector<std::string> out;
  for (const auto& d : diag.sorted())
    if (d.severity == Severity::Error) out.push_back(d.format());
  return out;
}

std::vector<std::string> load_errors(const std::string& variants) {
  return errors(load_scene_text(kScene + variants, "t.yaml").diagnostics);
}

const Element& el(const Scene& s, const std::string& n) { return s.elements[static_cast<size_t>(s.find_element(n))]; }

}  // namespace

TEST_CASE("no variants block: the baseline alone", "[variants]") {
  VariantSet s = expand_variants(load(""));
  REQUIRE(s.size() == 1);
  CHECK(s.names[0] == "baseline");
  CHECK(s.params.empty());
}

TEST_CASE("a 3 x 2 sweep gives 6 variants, first axis slowest", "[variants]") {
  VariantSet s = expand_variants(load("variants:\n  sweep:\n    b1.capacity: [1, 2, 3]\n"
                                      "    m1.process.mode: {range: [15s, 25s], steps: 2}\n"));
  REQUIRE(s.size() == 7);
  REQUIRE(s.params.size() == 2);
  CHECK(s.params[0].kind == ParamKind::Count);
  CHECK(s.params[0].unit == "parts");
  CHECK(s.params[1].kind == ParamKind::Duration);
  CHECK(s.params[1].key == "process");
  CHECK(s.params[1].sub == "mode");
  const std::vector<std::string> names = {"baseline",
                                          "b1.capacity=1,m1.process.mode=15s", "b1.capacity=1,m1.process.mode=25s",
                                          "b1.capacity=2,m1.process.mode=15s", "b1.capacity=2,m1.process.mode=25s",
                                          "b1.capacity=3,m1.process.mode=15s", "b1.capacity=3,m1.process.mode=25s"};
  CHECK(s.names == names);
  CHECK(s.values[0][0].value == 5);   // the scene's own values
  CHECK(s.values[0][1].value == 20);
  for (size_t v = 1; v < 7; ++v) {
    CHECK(s.values[v][0].value == static_cast<double>(1 + (v - 1) / 2));
    CHECK(s.values[v][1].value == ((v - 1) % 2 == 0 ? 15.0 : 25.0));
  }
}

TEST_CASE("cases come first, then the sweep, then samples; unset values are the scene's", "[variants]") {
  Scene sc = load("variants:\n"
                  "  cases:\n"
                  "    - {name: fast, set: {m2.process.mean: 20s}}\n"
                  "    - {name: big, set: {b1.capacity: 9, c1.speed: 1}}\n"
                  "  sweep: {c1.speed: [0.2, 0.3]}\n"
                  "  sample: {method: uniform, count: 4, ranges: {m2.process.sd: [1s, 2s]}}\n");
  VariantSet s = expand_variants(sc);
  REQUIRE(s.size() == 1 + 2 + 2 + 4);
  CHECK(s.names == std::vector<std::string>{"baseline", "fast", "big", "c1.speed=0.2", "c1.speed=0.3",
                                            "sample-1", "sample-2", "sample-3", "sample-4"});
  REQUIRE(s.params.size() == 4);
  CHECK(s.params[0].text == "m2.process.mean");
  CHECK(s.params[1].text == "b1.capacity");
  CHECK(s.params[2].text == "c1.speed");
  CHECK(s.params[3].text == "m2.process.sd");
  CHECK(s.values[1][0].value == 20);
  CHECK(s.values[1][1].value == 5);   // not set by 'fast'
  CHECK(s.values[2][2].value == 1);
  CHECK(s.values[3][2].value == 0.2);
  CHECK(s.values[3][0].value == 30);  // the sweep leaves the mean alone
  for (size_t v = 5; v < 9; ++v) CHECK((s.values[v][3].value >= 1 && s.values[v][3].value <= 2));
}

TEST_CASE("Latin hypercube: one point in each of the N strata of every parameter", "[variants]") {
  const int N = 50;
  Scene sc = load("variants:\n  sample:\n    method: lhs\n    count: 50\n"
                  "    ranges: {c1.speed: [0.2, 0.6], m2.process.mean: [25s, 35s], m1.process.mode: [15s, 25s]}\n");
  VariantSet s = expand_variants(sc);
  REQUIRE(s.size() == 1 + N);
  CHECK(s.names[1] == "sample-1");
  CHECK(s.names[N] == "sample-50");
  const std::vector<std::pair<double, double>> ranges = {{0.2, 0.6}, {25, 35}, {15, 25}};
  for (size_t p = 0; p < 3; ++p) {
    std::vector<int> hits(N, 0);
    for (int v = 1; v <= N; ++v) {
      double x = s.values[static_cast<size_t>(v)][p].value;
      auto [lo, hi] = ranges[p];
      REQUIRE((x > lo && x < hi));
      hits[static_cast<size_t>(std::min(N - 1, static_cast<int>((x - lo) / (hi - lo) * N)))]++;
    }
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
}

TEST_CASE("sample designs are a function of the seed", "[variants]") {
  const std::string block = "variants:\n  sample: {method: uniform, count: 20, ranges: {c1.speed: [0.2, 0.6], "
                            "b1.capacity: [1, 10]}}\n";
  Scene a = load(block), b = load(block);
  VariantSet sa = expand_variants(a), sb = expand_variants(b);
  b.run.seed = 8;
  VariantSet sc = expand_variants(b);
  bool differs = false;
  for (size_t v = 1; v < sa.size(); ++v) {
    CHECK(sa.values[v][0].value == sb.values[v][0].value);
    CHECK((sa.values[v][0].value >= 0.2 && sa.values[v][0].value <= 0.6));
    CHECK(sa.values[v][1].value == std::round(sa.values[v][1].value));  // a count is whole
    CHECK((sa.values[v][1].value >= 1 && sa.values[v][1].value <= 10));
    differs |= sa.values[v][0].value != sc.values[v][0].value;
  }
  CHECK(differs);
}

TEST_CASE("apply_variant sets distribution parameters and whole constants", "[variants]") {
  Scene sc = load("variants:\n  cases:\n"
                  "    - {name: a, set: {m2.process.mean: 40s, m1.process.max: 50s, b1.capacity: 0}}\n");
  VariantSet s = expand_variants(sc);
  Diagnostics diag;
  Scene a = apply_variant(sc, s, 1, diag);
  CHECK(errors(diag).empty());
  CHECK(el(a, "m2").process.family == DistFamily::Normal);
  CHECK(el(a, "m2").process.mean == 40);
  CHECK(el(a, "m2").process.sd == 3);
  CHECK(el(a, "m1").process.max == 50);
  CHECK(el(a, "m1").process.mode == 20);
  CHECK(el(a, "b1").capacity == 0);
  Scene base = apply_variant(sc, s, 0, diag);
  CHECK(el(base, "m2").process.mean == 30);

  Scene c = load_scene_text("plantwin: 1\nname: c\nrun: {horizon: 1h}\nelements:\n"
                            "  src: {type: source, interarrival: 12s, to: m1}\n"
                            "  m1: {type: station, process: 30s, to: done}\n  done: {type: sink}\n"
                            "variants:\n  sweep: {m1.process: [20s, 25s]}\n", "c.yaml").scene.value();
  VariantSet cs = expand_variants(c);
  CHECK(cs.names[1] == "m1.process=20s");
  Scene c1 = apply_variant(c, cs, 2, diag);
  CHECK(el(c1, "m1").process.family == DistFamily::Constant);
  CHECK(el(c1, "m1").process.value == 25);
  CHECK(errors(diag).empty());
}

TEST_CASE("moving an element recomputes the derived length of the conveyor feeding it", "[variants]") {
  Scene sc = load("variants:\n  cases:\n"
                  "    - {name: far, set: {m1.at: [6, 8, 0]}}\n");
  REQUIRE(el(sc, "c1").length_from_positions);
  CHECK(el(sc, "c1").length_m == Approx(5));
  VariantSet s = expand_variants(sc);
  CHECK(s.params[0].kind == ParamKind::Position);
  Diagnostics diag;
  Scene far = apply_variant(sc, s, 1, diag);
  CHECK(el(far, "c1").length_m == Approx(10));
  CHECK(errors(diag).empty());
  // A move that makes the derived length zero is refused when the scene loads.
  CHECK(load_errors("variants:\n  cases:\n    - {name: same, set: {m1.at: [0, 0, 0]}}\n") ==
        std::vector<std::string>{"t.yaml:13:33: error: variant 'same', parameter 'm1.at': conveyor 'c1' would have "
                                 "length zero from positions: it stands at the same 'at' as 'm1'"});
}

TEST_CASE("values out of range in any variant are reported at their location when the scene loads", "[variants]") {
  std::vector<std::string> errs = load_errors(
      "variants:\n"
      "  cases:\n"
      "    - name: bad\n"
      "      set: {m1.process.mode: 35s, b1.capacity: -1, c1.speed: 0, m2.process.sd: -2s}\n"
      "  sample: {count: 3, ranges: {m2.process.mean: [-10s, -5s]}}\n");
  REQUIRE(errs.size() == 7);  // four in the case, one in each of the three samples
  CHECK(std::vector<std::string>(errs.begin(), errs.begin() + 4) ==
        std::vector<std::string>{
            "t.yaml:14:30: error: variant 'bad', parameter 'm1.process.mode': needs min <= mode <= max "
            "and min < max, got [10 s, 35 s, 30 s]",
            "t.yaml:14:48: error: variant 'bad', parameter 'b1.capacity': buffer capacity must be "
            "from 0 to 100000000, got -1",
            "t.yaml:14:62: error: variant 'bad', parameter 'c1.speed': must be positive (m/s), got 0",
            "t.yaml:14:80: error: variant 'bad', parameter 'm2.process.sd': must not be negative, got -2 s"});
  for (int i = 0; i < 3; ++i)
    CHECK(errs[4 + i].rfind("t.yaml:15:31: error: variant 'sample-" + std::to_string(i + 1) +
                                "', parameter 'm2.process.mean': must be positive",
                            0) == 0);
}

TEST_CASE("the loader rejects bad variants blocks with exact locations", "[variants]") {
  CHECK(load_errors("variants:\n  sweep: {m1.procss.mode: [1s]}\n") ==
        std::vector<std::string>{"t.yaml:12:11: error: key 'variants.sweep': unknown parameter 'm1.procss.mode'; "
                                 "did you mean 'm1.process.mode'?"});
  CHECK(load_errors("variants:\n  sweep: {m2.process.k: [1]}\n") ==
        std::vector<std::string>{"t.yaml:12:11: error: key 'variants.sweep': unknown parameter 'm2.process.k'; did "
                                 "you mean 'm2.process.sd'?"});
  CHECK(load_errors("variants:\n  sweep: {run.horizon: [1h]}\n") ==
        std::vector<std::string>{"t.yaml:12:11: error: key 'variants.sweep': 'run.horizon' is a run setting, not a "
                                 "parameter; only element values can vary"});
  CHECK(load_errors("variants:\n  sweep: {src.interarrival: [1s]}\n") ==
        std::vector<std::string>{"t.yaml:12:11: error: key 'variants.sweep': unknown parameter 'src.interarrival': "
                                 "the parameters of source 'src' are src.at"});
  CHECK(load_errors("variants:\n  sweep: {c1.speed: [[1, 2, 3]], c1.at: [fast]}\n") ==
        std::vector<std::string>{
            "t.yaml:12:22: error: key 'variants.sweep', parameter 'c1.speed': expected a finite number, got a list",
            "t.yaml:12:42: error: key 'variants.sweep', parameter 'c1.at': expected a position [x, y, z] in metres, "
            "got 'fast'"});
  CHECK(load_errors("variants:\n  sweep: {c1.speed: {range: [0.5, 0.2], steps: 1}}\n") ==
        std::vector<std::string>{
            "t.yaml:12:48: error: key 'variants.sweep', parameter 'c1.speed.steps': must be from 2 to 1000000, got 1"});
  CHECK(load_errors("variants:\n  sweep: {c1.speed: {range: [0.5, 0.2], steps: 3}}\n") ==
        std::vector<std::string>{
            "t.yaml:12:29: error: key 'variants.sweep', parameter 'c1.speed.range': needs lo < hi"});
  CHECK(load_errors("variants:\n  sample: {method: lhd, count: 0, ranges: {c1.speed: [1, 2]}}\n") ==
        std::vector<std::string>{
            "t.yaml:12:20: error: key 'variants.sample.method': expected lhs or uniform, got 'lhd'; did you mean 'lhs'?",
            "t.yaml:12:32: error: key 'variants.sample.count': must be from 1 to 1000000, got 0"});
  CHECK(load_errors("variants:\n  cases:\n    - {name: a, set: {b1.capacity: 1}}\n    - {name: a, set: {b1.capacity: 2}}\n"
                    "    - {name: baseline, set: {b1.capacity: 2, b1.capacity: 3}}\n") ==
        std::vector<std::string>{
            "t.yaml:14:14: error: key 'variants.cases', case 'a': defined twice; case names are unique",
            "t.yaml:15:14: error: key 'variants.cases', case 'baseline': 'baseline' is the name of a generated variant; "
            "choose another",
            "t.yaml:15:46: error: key 'variants.cases', case 'baseline', key 'set': parameter 'b1.capacity' is given twice"});
}

namespace {

// Lines 1-11; a test's variants block starts on line 12.
const std::string kFactory = R"(plantwin: 1
name: f
run: {horizon: 1h}
parts: {a: {}, b: {}}
elements:
  src: {type: source, interarrival: 1min, mix: {a: 1, b: 1}, to: m1, at: [1, 0, 0]}
  m1: {type: station, process: {by_part: {a: 30s, b: {exponential: 40s}}}, setup: {uniform: [1min, 2min]}, operators: {process: crew}, failures: [{name: jam, mtbf: {exponential: 2h}, mttr: 5min}], scrap: 0.1, rework: {p: 0.2, to: m2}, to: m2, at: [0, 1.5, 0]}
  m2: {type: station, process: 20s, failures: {mtbf: 1h, mttr: {exponential: 2min}}, to: done}
  done: {type: sink}
  crew: {type: operators, count: 1}
  r1: {type: robot, at: [0, 0, 0], reach: 2, speed: 1, acceleration: 2, grip: 1s, transfers: [{from: src, to: m1}]}
)";

std::vector<std::string> factory_errors(const std::string& variants) {
  return errors(load_scene_text(kFactory + variants, "f.yaml").diagnostics);
}

Scene load_factory(const std::string& variants) {
  LoadResult r = load_scene_text(kFactory + variants, "f.yaml");
  std::string all;
  for (const auto& d : r.diagnostics.sorted()) all += d.format() + "\n";
  INFO(all);
  REQUIRE(r.scene);
  return *r.scene;
}

}  // namespace

TEST_CASE("a variant that moves a station, or the robot, out of the robot's reach is rejected", "[variants][factory]") {
  CHECK(factory_errors("variants:\n  cases:\n    - {name: far, set: {m1.at: [0, 3, 0]}}\n") ==
        std::vector<std::string>{
            "f.yaml:14:32: error: variant 'far', parameter 'm1.at': robot 'r1' cannot reach 'm1': distance 3 m > reach 2 m"});
  CHECK(factory_errors("variants:\n  sweep: {r1.reach: [1.2, 3]}\n") ==
        std::vector<std::string>{
            "f.yaml:13:22: error: variant 'r1.reach=1.2', parameter 'r1.reach': robot 'r1' cannot reach 'm1': "
            "distance 1.5 m > reach 1.2 m"});
  CHECK(factory_errors("variants:\n  cases:\n    - {name: moved, set: {r1.at: [0, -1, 0]}}\n") ==
        std::vector<std::string>{
            "f.yaml:14:34: error: variant 'moved', parameter 'r1.at': robot 'r1' cannot reach 'm1': distance 2.5 m > "
            "reach 2 m"});
  // Within reach after the move: accepted.
  Scene ok = load_factory("variants:\n  cases:\n    - {name: near, set: {m1.at: [0, 2, 0]}}\n");
  CHECK(expand_variants(ok).size() == 2);
}

TEST_CASE("operators count and robot speed vary like any parameter", "[variants][factory]") {
  Scene sc = load_factory("variants:\n  sweep:\n    crew.count: [1, 2, 3]\n"
                          "    r1.speed: {range: [0.5, 1.5], steps: 3}\n");
  VariantSet s = expand_variants(sc);
  REQUIRE(s.size() == 10);
  REQUIRE(s.params.size() == 2);
  CHECK(s.params[0].kind == ParamKind::Count);
  CHECK(s.params[0].unit == "workers");
  CHECK(s.params[1].kind == ParamKind::Number);
  CHECK(s.params[1].unit == "m/s");
  CHECK(s.names[1] == "crew.count=1,r1.speed=0.5");
  CHECK(s.names[9] == "crew.count=3,r1.speed=1.5");
  Diagnostics diag;
  Scene v = apply_variant(sc, s, 6, diag);  // crew.count=2, r1.speed=1.5
  CHECK(errors(diag).empty());
  CHECK(el(v, "crew").count == 2);
  CHECK(el(v, "r1").speed_mps_robot == 1.5);
  CHECK(el(v, "r1").accel_mps2 == 2);
  CHECK(el(sc, "crew").count == 1);  // the baseline is untouched

  CHECK(factory_errors("variants:\n  cases:\n    - {name: bad, set: {crew.count: 0, r1.speed: 0, r1.grip: -1s}}\n") ==
        std::vector<std::string>{
            "f.yaml:14:37: error: variant 'bad', parameter 'crew.count': operators must be a whole number from 1 to "
            "1000000, got 0",
            "f.yaml:14:50: error: variant 'bad', parameter 'r1.speed': must be positive (m/s), got 0",
            "f.yaml:14:62: error: variant 'bad', parameter 'r1.grip': must not be negative, got -1 s"});
}

TEST_CASE("failure modes, by-part process times, setups, scrap and rework as parameters", "[variants][factory]") {
  Scene sc = load_factory("variants:\n  cases:\n"
                          "    - name: a\n"
                          "      set: {m1.failures.jam.mtbf.mean: 3h, m1.failures.jam.mttr: 10min, m2.failures.mtbf: 2h,\n"
                          "            m2.failures.mttr.mean: 1min, m1.process.by_part.a: 25s, m1.process.by_part.b.mean: 35s,\n"
                          "            m1.setup.max: 3min, m1.scrap: 0.05, m1.rework.p: 0.1, r1.acceleration: 4,\n"
                          "            r1.release: 2s}\n");
  VariantSet s = expand_variants(sc);
  REQUIRE(s.params.size() == 11);
  CHECK(s.params[0].key == "failures.jam.mtbf");
  CHECK(s.params[0].sub == "mean");
  CHECK(s.params[2].key == "failures.mtbf");
  CHECK(s.params[2].sub == "");
  CHECK(s.params[4].key == "process.by_part.a");
  CHECK(s.params[5].key == "process.by_part.b");
  CHECK(s.params[5].sub == "mean");
  CHECK(s.params[7].unit == "1");
  CHECK(s.params[8].key == "rework.p");
  CHECK(s.params[9].unit == "m/s^2");
  CHECK(s.params[10].kind == ParamKind::Duration);
  Diagnostics diag;
  Scene v = apply_variant(sc, s, 1, diag);
  CHECK(errors(diag).empty());
  const Element& m1 = el(v, "m1");
  CHECK(m1.failures[0].mtbf.mean == 3 * 3600);
  CHECK(m1.failures[0].mttr.value == 600);
  CHECK(el(v, "m2").failures[0].mtbf.value == 7200);
  CHECK(el(v, "m2").failures[0].mttr.mean == 60);
  CHECK(m1.process_by_part[0].value == 25);
  CHECK(m1.process_by_part[1].mean == 35);
  CHECK(m1.setup.max == 180);
  CHECK(m1.scrap_p == 0.05);
  CHECK(m1.rework_p == 0.1);
  CHECK(el(v, "r1").accel_mps2 == 4);
  CHECK(el(v, "r1").release_s == 2);

  // The map form's paths name no mode; the list form's name one.
  CHECK(factory_errors("variants:\n  sweep: {m1.failures.mtbf.mean: [1h]}\n") ==
        std::vector<std::string>{"f.yaml:13:11: error: key 'variants.sweep': unknown parameter "
                                 "'m1.failures.mtbf.mean'; did you mean 'm1.failures.jam.mtbf.mean'?"});
  CHECK(factory_errors("variants:\n  sweep: {m1.process.by_part.c: [1s]}\n").size() == 1);
  // Probabilities: each below 1 and their sum too.
  CHECK(factory_errors("variants:\n  cases:\n    - {name: p, set: {m1.scrap: 0.85}}\n"
                       "    - {name: q, set: {m1.scrap: 0.5, m1.rework.p: 0.6}}\n"
                       "    - {name: r, set: {m1.rework.p: 1}}\n") ==
        std::vector<std::string>{
            "f.yaml:14:33: error: variant 'p', parameter 'm1.scrap': scrap + rework.p must be below 1, got 0.85 + 0.2",
            "f.yaml:15:33: error: variant 'q', parameter 'm1.scrap': scrap + rework.p must be below 1, got 0.5 + 0.6",
            "f.yaml:16:36: error: variant 'r', parameter 'm1.rework.p': must be a probability from 0 up to (not "
            "including) 1, got 1"});
}
