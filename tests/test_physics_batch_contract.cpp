// The batch contract PhysicsBatch (the plantwin kernel) and BulletBatch (the Bullet reference)
// share, written once for both: dormant slots, spawn and despawn (what the flow coupling
// drives), spawning a slot as a body kind (WorldDesc::kinds), belt drives switched per lane,
// and per-lane stepping (step_lane, lane_steps). Where the backends differ it is in exactness
// only: the kernel computes in double and reproduces poses bit for bit, Bullet keeps floats.
#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "engine/physics/bullet_world.h"
#include "engine/physics/physics_runner.h"
#include "tests/physics_support.h"

namespace ph = plantwin::physics;

namespace {

constexpr double kG = 9.81;

template <class Batch>
constexpr bool kIsKernel = std::is_same_v<Batch, ph::PhysicsBatch>;

// How far two poses of one backend may differ where they ought to agree: not at all for the
// kernel; Bullet stores its poses in floats and re-normalises on the way in.
template <class Batch>
constexpr double kPoseTol = kIsKernel<Batch> ? 0.0 : 1e-6;

using plantwin::test::cube;
using plantwin::test::cylinder;


// A belt (v 0.5 m/s, mu 0.4) along x from -0.5 to 4 m, top face at z = 0, 1 m wide, no floor:
// the world a physical conveyor hands the flow side. Its slots are cubes of half size kHalf,
// dormant, posed off the line and below lost_below_z, where an active body would be lost at once.
constexpr double kBeltV = 0.5, kBeltMu = 0.4, kBeltL = 3.0, kHalf = 0.1;
const ph::Pose kBeltStart{{0, 0, kHalf}, {1, 0, 0, 0}};

ph::StaticBoxDesc belt(double speed = kBeltV) {
  ph::StaticBoxDesc s;
  s.center = {1.75, 0, -0.05};
  s.half_extents = {2.25, 0.5, 0.05};
  s.friction = kBeltMu;
  s.surface_velocity = {speed, 0, 0};
  return s;
}

ph::WorldDesc spawn_world(int dormant_slots = 1) {
  ph::WorldDesc w;
  w.floor = false;
  w.statics.push_back(belt());
  for (int i = 0; i < dormant_slots; ++i) {
    ph::BodyDesc b = cube(kHalf, {7.0 + i, 0, -10.0}, 1.0, kBeltMu);
    b.active = false;
    w.bodies.push_back(b);
  }
  return w;
}

// A part at rest on the belt: it slips at mu g until it reaches v, then rides.
double belt_crossing_s() { return kBeltL / kBeltV + kBeltV / (2 * kBeltMu * kG); }

// Steps until body b of lane l has moved `distance` along x; the time, linear between steps.
template <class Batch>
double crossing_after(Batch& batch, int64_t l, int64_t b, double distance, double limit_s) {
  double x0 = batch.pose(l, b).p[0], prev = x0, tprev = batch.time();
  while (batch.time() < limit_s) {
    batch.step();
    double x = batch.pose(l, b).p[0];
    if (x - x0 >= distance) return tprev + (batch.time() - tprev) * (x0 + distance - prev) / (x - prev);
    prev = x;
    tprev = batch.time();
  }
  return -1;
}

bool same_pose(const ph::Pose& a, const ph::Pose& b) { return a.p == b.p && a.q == b.q; }

// The largest difference of two poses' numbers (quaternions compared up to sign).
double pose_gap(const ph::Pose& a, const ph::Pose& b) {
  double gap = 0, flip = 0;
  for (int k = 0; k < 3; ++k) gap = std::max(gap, std::abs(a.p[k] - b.p[k]));
  double same = 0;
  for (int k = 0; k < 4; ++k) {
    same = std::max(same, std::abs(a.q[k] - b.q[k]));
    flip = std::max(flip, std::abs(a.q[k] + b.q[k]));
  }
  return std::max(gap, std::min(same, flip));
}

double distance(const ph::Pose& a, const ph::Pose& b) {
  return std::hypot(a.p[0] - b.p[0], a.p[1] - b.p[1], a.p[2] - b.p[2]);
}

}  // namespace

// ---- Dormant slots, spawn and despawn ----

TEMPLATE_TEST_CASE("batch contract: a part spawned at rest on a belt at t = 1 s crosses L at 1 + L/v + v/(2 mu g)",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  TestType batch(spawn_world(), 1);
  const ph::Pose parked = batch.pose(0, 0);
  CHECK_FALSE(batch.active(0, 0));
  batch.step(500);  // 1 s dormant, below lost_below_z: never moved, never lost
  CHECK(same_pose(batch.pose(0, 0), parked));
  CHECK_FALSE(batch.lost(0, 0));
  CHECK(batch.lost_count(0) == 0);
  if constexpr (kIsKernel<TestType>) CHECK(batch.contact_count(0) == 0);

  batch.spawn(0, 0, kBeltStart);
  CHECK(batch.active(0, 0));
  CHECK(pose_gap(batch.pose(0, 0), kBeltStart) <= kPoseTol<TestType>);
  CHECK(batch.velocity(0, 0).linear == ph::Vec3d{0, 0, 0});
  const double t = crossing_after(batch, 0, 0, kBeltL, 10.0);
  INFO("crossing " << t << " s, analytic " << 1.0 + belt_crossing_s() << " s");
  CHECK(std::abs((t - 1.0) - belt_crossing_s()) / belt_crossing_s() < 0.02);
  CHECK(batch.velocity(0, 0).linear[0] == Approx(kBeltV).epsilon(0.01));
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);

  // Despawned and spawned again in the same slot: a fresh part, the same crossing.
  batch.despawn(0, 0);
  CHECK_FALSE(batch.active(0, 0));
  const ph::Pose left = batch.pose(0, 0);
  batch.step(100);
  CHECK(same_pose(batch.pose(0, 0), left));  // free: not simulated
  const double t_again0 = batch.time();
  batch.spawn(0, 0, kBeltStart);
  CHECK(batch.velocity(0, 0).linear == ph::Vec3d{0, 0, 0});
  const double t_again = crossing_after(batch, 0, 0, kBeltL, 20.0);
  INFO("second crossing " << t_again - t_again0 << " s after its spawn");
  CHECK(std::abs((t_again - t_again0) - (t - 1.0)) < 2 * 0.002);
}

TEMPLATE_TEST_CASE("batch contract: a dormant slot never moves and never touches the part passing through its pose",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  // Slot 1 is dormant, posed on the belt at x = 1.5 where the part in slot 0 will pass.
  ph::WorldDesc w = spawn_world(0);
  w.bodies.push_back(cube(kHalf, {0, 0, kHalf}, 1.0, kBeltMu));
  ph::BodyDesc ghost = cube(kHalf, {1.5, 0, kHalf}, 1.0, kBeltMu);
  ghost.active = false;
  w.bodies.push_back(ghost);
  ph::WorldDesc alone = w;
  alone.bodies.pop_back();
  alone.contact_capacity = 32;  // the kernel's two-slot default, so the worlds differ only by the slot
  TestType batch(w, 1), reference(alone, 1);
  const double t = crossing_after(batch, 0, 0, kBeltL, 10.0);
  reference.step(batch.steps_done());
  INFO("crossing " << t << " s, analytic " << belt_crossing_s() << " s");
  CHECK(std::abs(t - belt_crossing_s()) / belt_crossing_s() < 0.02);
  CHECK(pose_gap(batch.pose(0, 1), ph::Pose{ghost.position, ghost.orientation}) <= kPoseTol<TestType>);
  CHECK(pose_gap(batch.pose(0, 0), reference.pose(0, 0)) <= kPoseTol<TestType>);  // untouched: the lone part
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);
  CHECK(batch.pose(0, 0).p[2] == Approx(kHalf).margin(1e-3));
}

TEMPLATE_TEST_CASE("batch contract: a respawned slot keeps nothing of its earlier part, contacts included",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  // Lane 0: a part spawned at 1 s and despawned mid-slip (belt friction at work), the slot
  // respawned at once at the belt's start. Lane 1: the slot's first part spawns then. The
  // belt does not change with time, so both lanes must then run alike; stale warm-start
  // impulses or contact points in lane 0 would tell them apart.
  TestType batch(spawn_world(), 2);
  batch.step(500);
  batch.spawn(0, 0, kBeltStart);
  batch.step(25);  // 0.05 s: the part still slips (for v / (mu g) = 0.127 s)
  REQUIRE(batch.velocity(0, 0).linear[0] > 0.05);
  REQUIRE(batch.velocity(0, 0).linear[0] < kBeltV - 0.1);
  if constexpr (kIsKernel<TestType>) REQUIRE(batch.contact_count(0) > 0);
  batch.despawn(0, 0);
  batch.spawn(0, 0, kBeltStart);
  batch.spawn(1, 0, kBeltStart);
  double worst = 0;
  for (int s = 0; s < 200; ++s) {
    batch.step();
    worst = std::max(worst, pose_gap(batch.pose(0, 0), batch.pose(1, 0)));
  }
  INFO("largest pose difference " << worst);
  CHECK(worst <= kPoseTol<TestType>);
}

TEMPLATE_TEST_CASE("batch contract: spawn and despawn refuse what the slot's state forbids; a lost part frees its slot",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  TestType batch(spawn_world(), 2);
  CHECK_THROWS_AS(batch.spawn(2, 0, kBeltStart), std::out_of_range);
  CHECK_THROWS_AS(batch.spawn(0, 1, kBeltStart), std::out_of_range);
  CHECK_THROWS_AS(batch.spawn(0, 0, kBeltStart, 0), std::out_of_range);  // the world has no kinds
  CHECK_THROWS_AS(batch.spawn(0, 0, kBeltStart, -2), std::out_of_range);
  CHECK_THROWS_AS(batch.despawn(-1, 0), std::out_of_range);
  CHECK_THROWS_AS(batch.active(0, -1), std::out_of_range);
  CHECK_THROWS_AS(batch.despawn(0, 0), std::logic_error);  // already free
  ph::Pose bad = kBeltStart;
  bad.q = {0, 0, 0, 0};
  CHECK_THROWS_AS(batch.spawn(0, 0, bad), std::invalid_argument);
  bad = kBeltStart;
  bad.p[2] = std::nan("");
  CHECK_THROWS_AS(batch.spawn(0, 0, bad), std::invalid_argument);
  CHECK_FALSE(batch.active(0, 0));

  // A part spawned past the belt's end falls off and is lost; lane 1's slot stays free.
  batch.spawn(0, 0, ph::Pose{{5.0, 0, kHalf}, {1, 0, 0, 0}});
  CHECK_THROWS_AS(batch.spawn(0, 0, kBeltStart), std::logic_error);  // already active
  batch.step(500);
  REQUIRE(batch.lost(0, 0));
  CHECK_FALSE(batch.active(0, 0));
  CHECK(batch.lost_count(0) == 1);
  CHECK(batch.lost_count(1) == 0);
  CHECK_THROWS_AS(batch.spawn(0, 0, kBeltStart), std::logic_error);  // lost: despawn first
  batch.despawn(0, 0);
  CHECK_FALSE(batch.lost(0, 0));
  CHECK(batch.lost_count(0) == 1);  // the count keeps it
  const double t0 = batch.time();
  batch.spawn(0, 0, kBeltStart);
  const double t = crossing_after(batch, 0, 0, kBeltL, 20.0);
  CHECK(std::abs((t - t0) - belt_crossing_s()) / belt_crossing_s() < 0.02);
  CHECK(batch.lost_count(0) == 1);
}

TEMPLATE_TEST_CASE("batch contract: parts spawned at per-lane times cross per lane, the same with 1 and 2 threads",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  constexpr int64_t kLanes = 4;  // >= 2 x 2 threads: PhysicsBatch::step runs the lanes in parallel
  auto run = [&](int threads, std::vector<double>& crossing) {
    int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    TestType batch(spawn_world(), kLanes);
    std::vector<double> x_prev(kLanes, 0), t_prev(kLanes, 0);
    crossing.assign(kLanes, -1);
    while (batch.time() < 7.5) {  // every part has crossed, none has reached the belt's end (4 m)
      for (int64_t l = 0; l < kLanes; ++l) {
        if (batch.steps_done() == 250 + 125 * l) {  // lane l's part arrives at 0.5 + 0.25 l s
          batch.spawn(l, 0, kBeltStart);
          x_prev[size_t(l)] = kBeltStart.p[0];
        }
      }
      batch.step();
      for (int64_t l = 0; l < kLanes; ++l) {
        const size_t i = size_t(l);
        if (!batch.active(l, 0) || crossing[i] >= 0) continue;
        double x = batch.pose(l, 0).p[0];
        if (x >= kBeltL && x_prev[i] < kBeltL)
          crossing[i] = t_prev[i] + (batch.time() - t_prev[i]) * (kBeltL - x_prev[i]) / (x - x_prev[i]);
        x_prev[i] = x;
        t_prev[i] = batch.time();
      }
    }
    omp_set_num_threads(before);
    std::vector<ph::Pose> poses;
    for (int64_t l = 0; l < kLanes; ++l) poses.push_back(batch.pose(l, 0));
    return poses;
  };
  std::vector<double> c1, c2;
  std::vector<ph::Pose> one = run(1, c1), two = run(2, c2);
  for (size_t l = 0; l < kLanes; ++l) {
    const double spawn = 0.5 + 0.25 * double(l);
    INFO("lane " << l << ": crossing " << c1[l] << " s, analytic " << spawn + belt_crossing_s() << " s");
    CHECK(std::abs((c1[l] - spawn) - belt_crossing_s()) / belt_crossing_s() < 0.02);
    CHECK(c1[l] == c2[l]);
    CHECK(same_pose(one[l], two[l]));
  }
  // The lanes really differ: each later part is a quarter second of belt (0.125 m) behind.
  for (size_t l = 1; l < kLanes; ++l) CHECK(one[l - 1].p[0] - one[l].p[0] == Approx(0.125).margin(0.01));
}

// ---- Body kinds ----

TEMPLATE_TEST_CASE("batch contract: a slot spawned as a kind takes the kind's size and keeps it",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  // The slot is a small cube (half 0.05); kind 0 is an upright cylinder, kind 1 a bigger box.
  // Each is spawned standing on the running belt and stays at the height of its own half
  // height (with the slot's shape it would fall to 0.05). Not dropped: Bullet's cylinder,
  // declared or spawned as a kind alike, rocks by 15 degrees after a 1 cm drop onto a running
  // belt and has not settled 0.5 s later.
  ph::WorldDesc w = spawn_world(0);
  ph::BodyDesc slot = cube(0.05, {7, 0, -10}, 0.5, kBeltMu);
  slot.active = false;
  w.bodies.push_back(slot);
  w.kinds.push_back(cylinder(0.08, 0.12, {0, 0, 0}, 2.0, kBeltMu));
  ph::BodyDesc big = cube(0.1, {0, 0, 0}, 3.0, kBeltMu);
  big.half_extents = {0.2, 0.15, 0.1};
  w.kinds.push_back(big);
  TestType batch(w, 3);
  auto at = [](double z) { return ph::Pose{{0, 0, z}, {1, 0, 0, 0}}; };
  batch.spawn(0, 0, at(0.12), 0);
  batch.spawn(1, 0, at(0.1), 1);
  batch.spawn(2, 0, at(0.05));  // the slot's own shape
  batch.step(250);              // 0.5 s
  CHECK(batch.pose(0, 0).p[2] == Approx(0.12).margin(1e-3));
  CHECK(batch.pose(1, 0).p[2] == Approx(0.1).margin(1e-3));
  CHECK(batch.pose(2, 0).p[2] == Approx(0.05).margin(1e-3));
  for (int64_t l = 0; l < 3; ++l) CHECK(std::abs(batch.pose(l, 0).q[0]) > 0.9999);  // upright

  // Respawned without a kind, the slot keeps the kind it last took.
  batch.despawn(0, 0);
  batch.spawn(0, 0, at(0.12));
  batch.step(250);
  CHECK(batch.pose(0, 0).p[2] == Approx(0.12).margin(1e-3));
  CHECK_THROWS_AS(batch.spawn(1, 0, at(0.1), 2), std::out_of_range);
}

// ---- Belt drives ----

namespace {

// Lane l's belt, on drive 0, carries a cube (y = -0.25) and an upright cylinder (y = +0.25):
// a box pair's contact points are all found anew each step, a cylinder's partly persist.
ph::WorldDesc drive_world() {
  ph::WorldDesc w = spawn_world(0);
  w.statics[0].drive = 0;
  w.bodies.push_back(cube(kHalf, {0, -0.25, kHalf}, 1.0, kBeltMu));
  w.bodies.push_back(cylinder(0.08, 0.12, {0, 0.25, 0.12}, 0.8, kBeltMu));
  return w;
}

}  // namespace

TEMPLATE_TEST_CASE("batch contract: a belt whose drive is off stands still, per lane; switched on it runs again",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  TestType batch(drive_world(), 2);
  REQUIRE(batch.drives() == 1);
  CHECK(batch.drive(0, 0));
  CHECK_THROWS_AS(batch.set_drive(0, 1, false), std::out_of_range);
  CHECK_THROWS_AS(batch.set_drive(2, 0, false), std::out_of_range);
  CHECK_THROWS_AS(batch.drive(0, -1), std::out_of_range);
  const ph::Pose start[2] = {batch.pose(0, 0), batch.pose(0, 1)};

  // Lane 0's drive off, lane 1's on: 2 s later lane 0's parts have not moved, lane 1's ride.
  batch.set_drive(0, 0, false);
  CHECK_FALSE(batch.drive(0, 0));
  CHECK(batch.drive(1, 0));
  batch.step(1000);
  for (int64_t b = 0; b < 2; ++b) {
    INFO("body " << b);
    CHECK(distance(batch.pose(0, b), start[b]) < 1e-3);
    CHECK(batch.velocity(1, b).linear[0] == Approx(kBeltV).epsilon(0.02));
    CHECK(batch.pose(1, b).p[0] > 0.8);
  }

  // Switched the other way round: lane 0's belt starts, lane 1's stops (its parts slide
  // v^2 / (2 mu g) = 3 cm and stay). Contact points kept from the moving belt must stop too.
  batch.set_drive(0, 0, true);
  batch.set_drive(1, 0, false);
  batch.step(500);
  const ph::Pose stopped[2] = {batch.pose(1, 0), batch.pose(1, 1)};
  batch.step(500);
  for (int64_t b = 0; b < 2; ++b) {
    INFO("body " << b);
    CHECK(batch.velocity(0, b).linear[0] == Approx(kBeltV).epsilon(0.02));
    CHECK(distance(batch.pose(1, b), stopped[b]) < 1e-3);
    // at rest but for contact jitter (Bullet's prism against the belt: ~1 mm/s, no drift)
    CHECK(std::abs(batch.velocity(1, b).linear[0]) < 5e-3);
  }
}

// ---- Per-lane stepping ----

namespace {

// A cube on the belt and a kinematic pusher behind it that moves during [0.1, 0.3) s: a lane's
// result depends on its own clock.
ph::WorldDesc clocked_world() {
  ph::WorldDesc w = spawn_world(0);
  w.bodies.push_back(cube(kHalf, {0, 0, kHalf}, 1.0, kBeltMu));
  ph::StaticBoxDesc pusher;
  pusher.center = {-0.3, 0, 0.09};
  pusher.half_extents = {0.05, 0.3, 0.08};
  pusher.kinematic = true;
  pusher.kinematic_velocity = {2.0, 0, 0};
  pusher.kinematic_start = 0.1;
  pusher.kinematic_end = 0.3;
  w.statics.push_back(pusher);
  return w;
}

template <class Batch>
std::vector<ph::Pose> poses_of(const Batch& batch) {
  std::vector<ph::Pose> out;
  for (int64_t l = 0; l < batch.lanes(); ++l)
    for (int64_t b = 0; b < batch.bodies(); ++b) out.push_back(batch.pose(l, b));
  return out;
}

bool same_poses(const std::vector<ph::Pose>& a, const std::vector<ph::Pose>& b) {
  bool same = a.size() == b.size();
  for (size_t i = 0; same && i < a.size(); ++i) same = same_pose(a[i], b[i]);
  return same;
}

}  // namespace

TEMPLATE_TEST_CASE("batch contract: step_lane advances one lane on its own clock, bit for bit as step does",
                   "[physics][bullet]", ph::PhysicsBatch, ph::BulletBatch) {
  constexpr int64_t kLanes = 4, kSteps = 300;  // 0.6 s: past the pusher's window
  TestType together(clocked_world(), kLanes), alone(clocked_world(), kLanes), threaded(clocked_world(), kLanes);
  const ph::Pose start = alone.pose(1, 0);

  alone.step_lane(0, 100);
  CHECK(alone.lane_steps(0) == 100);
  CHECK(alone.lane_steps(1) == 0);
  CHECK(alone.steps_done() == 0);  // step() only
  CHECK(alone.time() == 0);
  CHECK(same_pose(alone.pose(1, 0), start));
  CHECK_FALSE(same_pose(alone.pose(0, 0), start));
  CHECK_THROWS_AS(alone.step_lane(kLanes, 1), std::out_of_range);
  CHECK_THROWS_AS(alone.lane_steps(-1), std::out_of_range);

  // The other lanes catch up one step at a time, then step() advances every lane from its
  // own clock: the lanes end where step(kSteps) takes them.
  for (int64_t s = 0; s < 100; ++s)
    for (int64_t l = 1; l < kLanes; ++l) alone.step_lane(l);
  alone.step(kSteps - 150);
  alone.step_lane(0, 50);
  for (int64_t l = 1; l < kLanes; ++l) alone.step_lane(l, 50);
  CHECK(alone.steps_done() == kSteps - 150);
  // Lanes stepped at once from their own threads.
  std::vector<std::thread> threads;
  for (int64_t l = 0; l < kLanes; ++l) threads.emplace_back([&threaded, l] { threaded.step_lane(l, kSteps); });
  for (std::thread& t : threads) t.join();
  together.step(kSteps);

  for (int64_t l = 0; l < kLanes; ++l) {
    CHECK(alone.lane_steps(l) == kSteps);
    CHECK(threaded.lane_steps(l) == kSteps);
    CHECK(together.lane_steps(l) == kSteps);
  }
  const std::vector<ph::Pose> want = poses_of(together);
  CHECK(same_poses(poses_of(alone), want));
  CHECK(same_poses(poses_of(threaded), want));
  // The pusher has pushed: the part is ahead of the belt's carry alone (0.6 s minus the slip).
  CHECK(want[0].p[0] > kBeltV * 0.6 - kBeltV * kBeltV / (2 * kBeltMu * kG) + 0.02);
}
