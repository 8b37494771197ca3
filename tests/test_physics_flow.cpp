// Physical conveyors driven by the flow simulation (kernels/flow/lane_sim.h with a physics
// hook): transit times against the mechanics (a box at rest on a belt crosses L in
// L/v + v/(2 mu g)), throughput against the same line with kinematic conveyors, exit times and
// losses against the Bullet reference, thread-count independence, and the loss rule.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "engine/backend/chunk_extract.h"
#include "engine/model/model.h"
#include "engine/physics/bullet_lane_physics.h"
#include "engine/physics/coupling_build.h"
#include "engine/scene/scene_loader.h"
#include "kernels/flow/lane_sim.h"
#include "tests/support.h"

using namespace plantwin;

namespace {

constexpr double kG = 9.81;
const std::string kPhysical = "model: physics, friction: 0.4, width: 0.5";

// source -> c1 (3 m belt at 0.5 m/s) -> m1 -> done; `conveyor` picks the model (kPhysical: friction 0.4).
std::string belt_line(const std::string& conveyor, const std::string& source, const std::string& station,
                      const std::string& run = "{horizon: 10min, warmup: 0s, replications: 1}") {
  return "plantwin: 1\nname: belt-line\nrun: " + run +
         "\n"
         "parts:\n  tote: {size: [0.3, 0.2, 0.15], mass: 1.2}\n"
         "elements:\n"
         "  src: {type: source, part: tote, " + source + ", to: c1}\n"
         "  c1: {type: conveyor, " + conveyor + ", speed: 0.5, path: [[0, 0, 1], [3, 0, 1]], to: m1}\n"
         "  m1: {type: station, " + station + ", to: done}\n"
         "  done: {type: sink}\n";
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

struct AlignedFree {
  void operator()(unsigned char* p) const { ::operator delete(p, std::align_val_t(64)); }
};
using Block = std::unique_ptr<unsigned char, AlignedFree>;
Block block(size_t bytes) {
  auto* p = static_cast<unsigned char*>(::operator new(std::max<size_t>(bytes, 64), std::align_val_t(64)));
  std::fill(p, p + bytes, static_cast<unsigned char>(0));
  return Block(p);
}

// One lane of a scene with physical conveyors, run on the host with the plantwin kernel or
// Bullet: the times parts reached the exit of any conveyor, and the parts lost.
struct LaneRun {
  std::vector<double> exits;
  int64_t lost = 0, produced = 0;
};

LaneRun run_lane(const Scene& scene, int64_t lane, bool bullet) {
  Model m = compile_model(scene, scene.run);
  REQUIRE(m.coupling);
  const physics::CouplingData& c = *m.coupling;
  const flow::FlowStateLayout one = state_layout(m, 1);
  Block fb = block(one.bytes);
  flow::FlowState s = one.bind(fb.get());
  std::vector<double> exits(100000, -1.0);
  s.exit_trace = exits.data();
  s.exit_trace_len = static_cast<int32_t>(exits.size());
  const flow::FlowModel fm = m.view();
  const flow::Coupling cv = c.view();
  if (bullet) {
    physics::BulletBatch batch(c.worlds[static_cast<size_t>(lane / m.replications)], 1);
    physics::BulletLanePhysics hook{&batch, 0};
    flow::LaneSim<true, physics::BulletLanePhysics> sim(fm, s, 0, lane, &hook, &cv);
    sim.run();
  } else {
    const phys::PhysicsStateLayout play = physics::lane_physics_layout(c);
    Block pb = block(play.bytes);
    phys::LanePhysics hook = physics::lane_physics(c, lane / m.replications, play, pb.get());
    flow::LaneSim<true, phys::LanePhysics> sim(fm, s, 0, lane, &hook, &cv);
    sim.run();
  }
  LaneRun r;
  for (double t : exits)
    if (t >= 0) r.exits.push_back(t);
  r.lost = s.phys_lost[0];
  r.produced = s.produced[0];
  return r;
}

}  // namespace

TEST_CASE("a part entering a physical conveyor crosses it in L/v + v/(2 mu g)", "[physics][flow]") {
  // Parts 10 s apart, never touching: each lead time is the belt crossing plus the 5 s process.
  const std::string src = "interarrival: 10s", st = "process: 5s";
  const BatchResults kin = test::run_cpu(belt_line("model: kinematic", src, st));
  const BatchResults phy = test::run_cpu(belt_line(kPhysical, src, st));
  const double transit = 3.0 / 0.5 + 0.5 / (2 * 0.4 * kG);  // 6.0637 s
  CHECK(kin.lead_time_mean_s[0] == Approx(6.0 + 5.0).epsilon(1e-12));
  // Entering between steps and leaving at the end of a step: within two steps (4 ms).
  CHECK(std::fabs(phy.lead_time_mean_s[0] - (transit + 5.0)) < 0.004);
  CHECK(phy.produced[0] == kin.produced[0]);
  REQUIRE(phy.has_physics());
  CHECK(phy.physics_engine == "plantwin");
  CHECK(phy.physics_lost[0] == 0);
  CHECK(phy.physics_contact_overflow[0] == 0);
  // The world steps only while a part is on the belt: the 59 parts released at 10 .. 590 s,
  // ~6.06 s each, in 2 ms steps.
  CHECK(phy.physics_steps[0] == Approx(59 * transit / 0.002).epsilon(0.002));
}

TEST_CASE("well-spaced parts: the same throughput with model: physics as with model: kinematic",
          "[physics][flow]") {
  const std::string src = "interarrival: {exponential: 20s}", st = "process: {exponential: 12s}";
  const std::string run = "{horizon: 45min, warmup: 5min, replications: 3, seed: 5}";
  const BatchResults kin = test::run_cpu(belt_line("model: kinematic", src, st, run));
  const BatchResults phy = test::run_cpu(belt_line(kPhysical, src, st, run));
  for (int64_t l = 0; l < 3; ++l) {
    INFO("lane " << l);
    CHECK(phy.throughput_per_h[l] == Approx(kin.throughput_per_h[l]).epsilon(0.02));
    CHECK(phy.physics_lost[l] == 0);
    CHECK(phy.physics_contact_overflow[l] == 0);
  }
  CHECK(mean(phy.throughput_per_h) == Approx(mean(kin.throughput_per_h)).epsilon(0.02));
}

TEST_CASE("an accumulating physical belt queues parts against its stopper; a non-accumulating one stops",
          "[physics][flow]") {
  // The station (10 s) is the bottleneck: parts arriving every 4 s queue on the belt.
  const std::string src = "interarrival: 4s", st = "process: 10s";
  const std::string run = "{horizon: 20min, warmup: 2min, replications: 1}";
  for (const char* acc : {"accumulating: true", "accumulating: false"}) {
    DYNAMIC_SECTION(acc) {
      const BatchResults r = test::run_cpu(belt_line(kPhysical + ", " + acc, src, st, run));
      CHECK(r.throughput_per_h[0] == Approx(360.0).epsilon(0.01));  // the station's rate
      CHECK(r.physics_lost[0] == 0);
      CHECK(r.physics_contact_overflow[0] == 0);
      CHECK(r.state_fraction[0 * flow::kStationStates + flow::kStarved] < 0.01);  // never starved
    }
  }
}

TEST_CASE("parts that slide back down a belt too steep for its friction are lost, and counted",
          "[physics][flow]") {
  // 26.6 degrees with friction 0.3: tan > mu, the belt cannot carry a part up.
  const std::string yaml =
      "plantwin: 1\nname: steep\nrun: {horizon: 5min, warmup: 0s, replications: 1}\n"
      "parts:\n  tote: {size: [0.3, 0.2, 0.15], mass: 1.2}\n"
      "elements:\n"
      "  src: {type: source, part: tote, interarrival: 20s, to: c1}\n"
      "  c1: {type: conveyor, model: physics, speed: 0.5, friction: 0.3, width: 0.5, path: [[0, 0, 1], [2, 0, 2]], to: done}\n"
      "  done: {type: sink}\n";
  const BatchResults r = test::run_cpu(yaml);
  CHECK(r.produced[0] == 0);
  // Released at 20, 40, ... 300 s: every part lost within 10 x length / speed = 44.7 s (late,
  // if the floor caught it) of entering, so all but the last three are lost by the end.
  const int64_t released = r.source_released[0];
  CHECK(released == 15);
  CHECK(r.physics_lost[0] >= released - 3);
  CHECK(r.physics_lost[0] <= released);
}

TEST_CASE("physical conveyors: identical results on 1 and 2 threads", "[physics][flow]") {
  Scene s = test::scene_from_text(
      belt_line(kPhysical, "interarrival: {exponential: 5s}", "process: {exponential: 4s}",
                "{horizon: 3min, warmup: 1min, replications: 3, seed: 9}"));
  const BatchResults one = test::run_cpu(s, 1);
  const BatchResults two = test::run_cpu(s, 2);
  const BatchResults chunked = test::run_cpu(s, 2, 1);
  REQUIRE(one.has_physics());
  test::check_identical(one, two);  // physics counters included
  test::check_identical(one, chunked);
}

TEST_CASE("spaced parts on a physical belt: each part's exit time agrees with Bullet's within 2 % of its transit",
          "[physics][flow][bullet]") {
  // Boxes and upright cylinders entering every 8 s (and randomly, 1 s or more apart); nothing
  // queues: each exit is the mechanics of one part on the belt, in both engines.
  for (const char* parts : {"tote: {size: [0.3, 0.2, 0.15], mass: 1.2}", "tote: {size: [0.1, 0.1, 0.2], mass: 0.5, shape: cylinder}"}) {
    DYNAMIC_SECTION(parts) {
      std::string yaml = belt_line(kPhysical, "interarrival: {uniform: [7s, 9s]}", "process: 5s",
                                   "{horizon: 4min, warmup: 0s, replications: 2, seed: 4}");
      yaml.replace(yaml.find("tote: {size: [0.3, 0.2, 0.15], mass: 1.2}"), 41, parts);
      const Scene s = test::scene_from_text(yaml);
      const double transit = 3.0 / 0.5 + 0.5 / (2 * 0.4 * kG);
      for (int64_t lane = 0; lane < 2; ++lane) {
        const LaneRun k = run_lane(s, lane, false), b = run_lane(s, lane, true);
        INFO("lane " << lane << " exits: kernel " << k.exits.size() << ", Bullet " << b.exits.size());
        REQUIRE(k.exits.size() >= 25);
        CHECK(k.exits.size() == b.exits.size());
        double worst = 0;
        for (size_t i = 0; i < std::min(k.exits.size(), b.exits.size()); ++i)
          worst = std::max(worst, std::fabs(k.exits[i] - b.exits[i]));
        INFO("largest difference of an exit time: " << worst << " s");
        CHECK(worst < 0.02 * transit);
        CHECK(k.lost == b.lost);
        CHECK(k.lost == 0);
      }
    }
  }
}

TEST_CASE("every physical scene: each part's exit time agrees with Bullet's within 2 % of a belt transit, and so do losses",
          "[physics][flow][bullet][scenes]") {
  const std::string root = test::source_dir();
  for (const char* name : {"parcel-line.yaml", "bottle-line.yaml"}) {
    DYNAMIC_SECTION(name) {
      LoadResult lr = load_scene_file(root + "/scenes/physics/" + name);
      REQUIRE(lr.scene);
      Scene s = *lr.scene;
      s.run.horizon_s = 150;
      s.run.warmup_s = 0;
      s.run.replications = 1;
      // The tolerance: 2 % of the longest nominal transit (length / speed) of its physical belts.
      double transit = 0;
      for (const Element& e : s.elements)
        if (e.physical) transit = std::max(transit, e.length_m / e.speed_mps);
      const LaneRun k = run_lane(s, 0, false), b = run_lane(s, 0, true);
      INFO("exits: kernel " << k.exits.size() << ", Bullet " << b.exits.size());
      REQUIRE(k.exits.size() >= 30);
      CHECK(k.exits.size() == b.exits.size());
      double worst = 0;
      for (size_t i = 0; i < std::min(k.exits.size(), b.exits.size()); ++i)
        worst = std::max(worst, std::fabs(k.exits[i] - b.exits[i]));
      INFO("largest difference of an exit time: " << worst << " s; 2 % of " << transit << " s is " << 0.02 * transit);
      CHECK(worst < 0.02 * transit);
      CHECK(k.lost == b.lost);
    }
  }
}
