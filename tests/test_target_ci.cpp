// More replications on demand: a batch extended by replications equals one larger batch,
// and --target-ci stops as soon as its target holds.
#include <catch2/catch.hpp>

#include "engine/batch/append_replications.h"
#include "engine/batch/target_ci.h"
#include "tests/support.h"

using namespace plantwin;

namespace {

const char* kLine = R"(plantwin: 1
name: target-line
run: {horizon: 4h, warmup: 20min, replications: 4, seed: 5}
elements:
  src: {type: source, to: m1}
  m1: {type: station, process: {exponential: 40s}, to: b1}
  b1: {type: buffer, capacity: 2, to: m2}
  m2: {type: station, process: {exponential: 44s}, to: out}
  out: {type: sink}
variants:
  cases:
    - {name: bigger-buffer, set: {b1.capacity: 6}}
)";

BatchResults run(const Scene& s, int64_t replications, int64_t first = 0) {
  auto backend = make_cpu_backend();
  RunSettings r = s.run;
  r.replications = replications;
  BatchOptions opt;
  opt.first_replication = first;
  return run_batch(s, r, *backend, opt);
}

}  // namespace

TEST_CASE("replications appended later equal one larger batch, bit for bit", "[target-ci]") {
  Scene s = test::scene_from_text(kLine);
  BatchResults a = run(s, 7);
  append_replications(a, run(s, 5, 7));
  BatchResults whole = run(s, 12);
  CHECK(a.replications == 12);
  test::check_identical(a, whole);
}

TEST_CASE("target-ci: stops as soon as its target holds", "[target-ci]") {
  Scene s = test::scene_from_text(kLine);
  auto backend = make_cpu_backend();
  TargetCi target;
  target.percent = 1.5;
  target.max_replications = 10000;
  TargetCiOutcome out;
  BatchResults r = run_to_target(s, s.run, *backend, target, {}, &out);
  CAPTURE(out.replications, out.rounds, out.worst_percent, out.worst_variant);
  REQUIRE(out.reached);
  CHECK(out.rounds >= 2);
  CHECK(out.replications == 4 << (out.rounds - 1));  // 4, 8, 16, ... : doubling
  CHECK(r.replications == out.replications);
  std::string worst;
  CHECK(worst_relative_ci(r, "throughput_per_h", &worst) <= 1.5);
  // The round before did not reach it: the loop did not run longer than needed.
  BatchResults before = run(s, out.replications / 2);
  CHECK(worst_relative_ci(before, "throughput_per_h", &worst) > 1.5);
  // And the extended batch is exactly the batch of that many replications.
  test::check_identical(r, run(s, out.replications));
}

TEST_CASE("target-ci: says so when the cap stops it", "[target-ci]") {
  Scene s = test::scene_from_text(kLine);
  auto backend = make_cpu_backend();
  TargetCi target;
  target.percent = 0.01;
  target.max_replications = 10;
  TargetCiOutcome out;
  BatchResults r = run_to_target(s, s.run, *backend, target, {}, &out);
  CHECK_FALSE(out.reached);
  CHECK(out.replications == 10);  // 4, 8, then capped at 10
  CHECK(out.rounds == 3);
  CHECK(out.worst_percent > 0.01);
  CHECK(r.lanes == 2 * 10);
}
