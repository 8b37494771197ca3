// The Bullet reference backend (engine/physics/bullet_world.h) against mechanics: free fall,
// a bounce, a part carried off by a belt, a part sliding down a slope (the last three also
// check WorldDesc's material rules, which are not Bullet's), stoppers, kinematic pushers, lost
// parts, dormant slots with spawn and despawn, the kernel's argument checks, and thread-count
// independence.
#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/physics/bullet_world.h"

using namespace plantwin::physics;

namespace {

constexpr double kG = 9.81;

// A part of 0.3 x 0.2 x 0.15 m, 2 kg, standing at (x, y) on a surface at height z.
BodyDesc part_at(double x, double y, double z, double friction) {
  BodyDesc b;
  b.shape = Shape::Box;
  b.half_extents = {0.15, 0.1, 0.075};
  b.mass = 2.0;
  b.position = {x, y, z + 0.075};
  b.friction = friction;
  return b;
}

// A belt along +x: the box [x0, x0 + length] x [-0.25, 0.25] x [-0.05, 0] moving at `speed`.
StaticBoxDesc belt(double x0, double length, double speed, double friction) {
  StaticBoxDesc s;
  s.center = {x0 + length / 2, 0, -0.05};
  s.half_extents = {length / 2, 0.25, 0.05};
  s.friction = friction;
  s.surface_velocity = {speed, 0, 0};
  return s;
}

// A box standing on a belt that carries it along one lane; stoppers and pushers added by the
// tests that need them.
WorldDesc belt_world(double speed, double mu) {
  WorldDesc w;
  w.floor = false;
  w.lost_below_z = -5;
  w.statics.push_back(belt(-0.5, 5.0, speed, mu));
  w.bodies.push_back(part_at(0, 0, 0, mu));
  return w;
}

}  // namespace

TEST_CASE("bullet: a dropped part lands at sqrt(2h/g) within one step", "[bullet]") {
  WorldDesc w;  // the floor z = 0
  const double h = 1.0;
  BodyDesc b = part_at(0, 0, h, 0.5);
  w.bodies.push_back(b);
  BulletBatch batch(w, 1);
  // Landing: the first step whose vertical velocity is no longer free fall's -g t.
  double landed = -1;
  for (int s = 0; s < 1000 && landed < 0; ++s) {
    batch.step();
    double t = batch.time();
    if (std::abs(batch.velocity(0, 0).linear[2] + kG * t) > 1e-3 * kG * t) landed = t;
  }
  INFO("landed at " << landed << " s, analytic " << std::sqrt(2 * h / kG) << " s");
  CHECK(landed == Approx(std::sqrt(2 * h / kG)).margin(w.dt));
  batch.step(500);  // then it rests on the floor
  CHECK(batch.pose(0, 0).p[2] == Approx(0.075).margin(0.002));
  CHECK(batch.lost_count(0) == 0);
}

TEST_CASE("bullet: restitution combines as max(e_a, e_b): a part of e 0.5 bounces off the floor of e 0", "[bullet]") {
  WorldDesc w;
  BodyDesc b = part_at(0, 0, 0.5, 0.5);
  b.restitution = 0.5;
  w.bodies.push_back(b);
  BulletBatch batch(w, 1);
  double impact = 0, rebound = 0;
  for (int s = 0; s < 400; ++s) {
    batch.step();
    double vz = batch.velocity(0, 0).linear[2];
    if (rebound == 0) impact = std::min(impact, vz);
    rebound = std::max(rebound, vz);
  }
  INFO("impact " << impact << " m/s, rebound " << rebound << " m/s");
  CHECK(impact == Approx(-std::sqrt(2 * kG * 0.5)).epsilon(0.01));
  // Bullet's product would give 0. Bullet bounces about 6 % higher than e times the impact
  // speed (restitution on its speculative contact the step before touching).
  CHECK(rebound == Approx(-0.5 * impact).epsilon(0.1));
}

TEST_CASE("bullet: a belt carries a part across L in L/v + v/(2 mu g)", "[bullet]") {
  const double v = 0.5, mu = 0.4, L = 3.0;
  BulletBatch batch(belt_world(v, mu), 1);
  double crossed = -1;
  for (int s = 0; s < 5000 && crossed < 0; ++s) {
    batch.step();
    if (batch.pose(0, 0).p[0] >= L) crossed = batch.time();
  }
  const double analytic = L / v + v / (2 * mu * kG);
  INFO("crossed " << L << " m in " << crossed << " s, analytic " << analytic << " s");
  CHECK(crossed == Approx(analytic).epsilon(0.02));
  CHECK(batch.velocity(0, 0).linear[0] == Approx(v).epsilon(0.01));
  CHECK(std::abs(batch.velocity(0, 0).linear[1]) < 1e-3);
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);  // straight along the belt
}

TEST_CASE("bullet: the belt's pull while slipping is the combined friction mu g", "[bullet]") {
  // The belt (mu 0.1) and the part (mu 0.9) combine to sqrt(0.09) = 0.3; Bullet's own product
  // would be 0.09. The part starts at rest and slips until it reaches the belt speed.
  const double v = 2.0;
  WorldDesc w = belt_world(v, 0.1);
  w.bodies[0].friction = 0.9;
  BulletBatch batch(w, 1);
  batch.step(100);  // 0.2 s, slipping all along: v reached after 0.68 s
  const double t0 = batch.time(), v0 = batch.velocity(0, 0).linear[0];
  batch.step(150);
  const double a = (batch.velocity(0, 0).linear[0] - v0) / (batch.time() - t0);
  INFO("acceleration " << a << " m/s^2, analytic " << 0.3 * kG);
  CHECK(a == Approx(0.3 * kG).epsilon(0.02));
}

TEST_CASE("bullet: a part slides down a slope at g (sin theta - mu cos theta)", "[bullet]") {
  // A 30 degree slope (tan 0.577) of mu 0.2 under a part of mu 0.45: combined sqrt(0.09) = 0.3.
  const double theta = M_PI / 6, mu = 0.3;
  WorldDesc w;
  w.floor = false;
  w.lost_below_z = -50;
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  const Quatd tilt{c, 0, s, 0};  // about +y: the slope falls towards +x, its normal is (sin, 0, cos)
  StaticBoxDesc slope;
  slope.orientation = tilt;
  slope.half_extents = {5, 0.5, 0.05};
  slope.center = {-0.05 * std::sin(theta), 0, -0.05 * std::cos(theta)};  // top face through the origin
  slope.friction = 0.2;
  w.statics.push_back(slope);
  BodyDesc b = part_at(0, 0, 0, 0.45);
  b.orientation = tilt;
  // Centre 0.075 above the top face, along the slope's normal.
  b.position = {0.075 * std::sin(theta), 0, 0.075 * std::cos(theta)};
  w.bodies.push_back(b);
  BulletBatch batch(w, 1);
  auto along = [&] {  // speed down the slope
    Vec3d vel = batch.velocity(0, 0).linear;
    return vel[0] * std::cos(theta) - vel[2] * std::sin(theta);
  };
  batch.step(50);
  const double t0 = batch.time(), v0 = along();
  batch.step(400);
  const double a = (along() - v0) / (batch.time() - t0);
  const double analytic = kG * (std::sin(theta) - mu * std::cos(theta));
  INFO("acceleration " << a << " m/s^2, analytic " << analytic << " (Bullet's product 0.09 would give "
                       << kG * (std::sin(theta) - 0.09 * std::cos(theta)) << ")");
  CHECK(a == Approx(analytic).epsilon(0.02));
  CHECK(std::abs(batch.velocity(0, 0).linear[1]) < 0.01 * along());  // Bullet's box-box contact drifts a little sideways
}

TEST_CASE("bullet: a raised stopper holds a part on a running belt; lowered, it lets it pass", "[bullet]") {
  WorldDesc w = belt_world(0.5, 0.4);
  StaticBoxDesc stop;
  stop.center = {1.0, 0, 0.05};
  stop.half_extents = {0.01, 0.25, 0.05};
  stop.stopper = 0;
  w.statics.push_back(stop);
  BulletBatch batch(w, 2);
  REQUIRE(batch.stoppers() == 1);
  CHECK(batch.stopper(0, 0));
  batch.set_stopper(1, 0, false);
  batch.step(1500);  // 3 s: 1.5 m of belt
  // Lane 0: held with its front face against the stopper's back face at x = 0.99.
  CHECK(batch.pose(0, 0).p[0] == Approx(0.99 - 0.15).margin(0.01));
  CHECK(std::abs(batch.velocity(0, 0).linear[0]) < 0.01);
  CHECK(batch.pose(1, 0).p[0] == Approx(0.5 * 3.0 - 0.5 * 0.5 / (2 * 0.4 * kG)).margin(0.01));
  batch.set_stopper(0, 0, false);
  batch.step(500);
  CHECK(batch.pose(0, 0).p[0] > 1.0);
  CHECK_THROWS_AS(batch.set_stopper(2, 0, true), std::out_of_range);
  CHECK_THROWS_AS(batch.set_stopper(0, 1, true), std::out_of_range);
}

TEST_CASE("bullet: a kinematic pusher moves during its window and pushes a part", "[bullet]") {
  WorldDesc w;  // a part on the floor, a pusher behind it
  w.bodies.push_back(part_at(0, 0, 0, 0.5));
  StaticBoxDesc pusher;
  pusher.center = {-0.3, 0, 0.1};
  pusher.half_extents = {0.05, 0.3, 0.1};
  pusher.kinematic = true;
  pusher.kinematic_velocity = {0.4, 0, 0};
  pusher.kinematic_start = 0.2;
  pusher.kinematic_end = 1.2;
  w.statics.push_back(pusher);
  BulletBatch batch(w, 1);
  batch.step(1000);  // 2 s: the pusher moved 0.4 m and stopped
  // The pusher's front face ends at -0.3 + 0.05 + 0.4 = 0.15; the part, pushed at 0.4 m/s, then
  // slides on for v^2 / (2 mu g) = 0.016 m (mu 0.5 with the floor's 0.5).
  const double x = batch.pose(0, 0).p[0];
  CHECK(x == Approx(0.15 + 0.15 + 0.4 * 0.4 / (2 * 0.5 * kG)).margin(0.02));
  CHECK(std::abs(batch.velocity(0, 0).linear[0]) < 1e-3);
}

TEST_CASE("bullet: a part that falls off the line is lost once and removed", "[bullet]") {
  WorldDesc w;
  w.floor = false;
  w.lost_below_z = -1;
  w.bodies.push_back(part_at(0, 0, 0, 0.5));
  w.bodies.push_back(part_at(1, 0, 0, 0.5));
  w.statics.push_back(belt(-0.5, 1.0, 0, 0.5));  // under the first part only
  RunOptions o;
  o.lanes = 2;
  o.seconds = 1.0;
  o.record_lanes = {1};
  RunResult r = run_physics_bullet(w, o);
  REQUIRE(r.steps == 500);
  CHECK(r.lost == std::vector<int64_t>{1, 1});
  CHECK(r.contact_overflow == std::vector<int64_t>{0, 0});
  CHECK(r.final_pose[0].p[2] == Approx(0.075).margin(0.002));
  CHECK(r.final_pose[1].p[2] < -1);
  CHECK(r.final_pose[1].p[2] > -1.1);  // removed when it crossed the line, not after
  REQUIRE(r.trajectories.size() == 1);
  REQUIRE(r.trajectories[0].size() == size_t(500 * 2));
  REQUIRE(r.times.size() == 500);
  CHECK(r.times[0] == Approx(0.002));
  CHECK(r.trajectories[0][499 * 2 + 1].p[2] == r.final_pose[2 + 1].p[2]);
}

TEST_CASE("bullet: worlds and options the kernel rejects are rejected alike", "[bullet]") {
  WorldDesc w = belt_world(0.5, 0.4);
  RunOptions o;
  o.record_lanes = {0, 0};
  CHECK_THROWS_AS(run_physics_bullet(w, o), std::invalid_argument);
  o.record_lanes = {1};
  CHECK_THROWS_AS(run_physics_bullet(w, o), std::invalid_argument);
  w.bodies[0].mass = 0;
  CHECK_THROWS_AS(BulletBatch(w, 1), std::invalid_argument);
  CHECK_THROWS_AS(BulletBatch(belt_world(0.5, 0.4), 0), std::invalid_argument);
  BulletBatch batch(belt_world(0.5, 0.4), 1);
  CHECK_THROWS_AS(batch.pose(1, 0), std::out_of_range);
  CHECK_THROWS_AS(batch.pose(0, 1), std::out_of_range);
  CHECK(batch.contact_overflow(0) == 0);
}

TEST_CASE("bullet: results do not depend on the thread count", "[bullet]") {
  // Parts queueing against a stopper on a belt with guides: many contacts per lane.
  WorldDesc w;
  w.floor = false;
  w.statics.push_back(belt(-0.5, 3.0, 0.5, 0.5));
  for (double y : {-0.27, 0.27}) {
    StaticBoxDesc guide;
    guide.center = {1.0, y, 0.05};
    guide.half_extents = {1.5, 0.02, 0.05};
    guide.friction = 0.2;
    w.statics.push_back(guide);
  }
  StaticBoxDesc stop;
  stop.center = {2.0, 0, 0.05};
  stop.half_extents = {0.01, 0.25, 0.05};
  stop.stopper = 0;
  w.statics.push_back(stop);
  for (int i = 0; i < 5; ++i) {
    BodyDesc b = part_at(0.4 * i, 0.02 * (i % 3 - 1), 0, 0.5);
    if (i == 2) {
      b.shape = Shape::Cylinder;
      b.radius = 0.08;
      b.half_height = 0.075;
    }
    w.bodies.push_back(b);
  }
  auto run = [&](int threads) {
    int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    BulletBatch batch(w, 4);
    batch.set_stopper(3, 0, false);
    batch.step(400);
    batch.set_stopper(1, 0, false);
    batch.step(350);
    omp_set_num_threads(before);
    std::vector<Pose> poses;
    for (int64_t l = 0; l < 4; ++l)
      for (int64_t b = 0; b < batch.bodies(); ++b) poses.push_back(batch.pose(l, b));
    return poses;
  };
  std::vector<Pose> one = run(1), two = run(2);
  bool identical = true;
  for (size_t i = 0; i < one.size(); ++i) identical = identical && one[i].p == two[i].p && one[i].q == two[i].q;
  CHECK(identical);
  // The lanes really differ: lane 0 holds its parts, lane 3 let them go.
  CHECK(one[0 * 5 + 4].p[0] < 2.0);
  CHECK(one[3 * 5 + 4].p[0] > 2.0);
}

// ---- Dormant slots, spawn and despawn: PhysicsBatch's contract (test_physics_mechanics.cpp) ----

namespace {

// belt_world's belt (v 0.5 m/s, mu 0.4, to x = 4.5 m) with its part's slot dormant, posed off
// the line and below lost_below_z, where an active body would be lost at once.
constexpr double kBeltV = 0.5, kBeltMu = 0.4, kBeltL = 3.0;
const Pose kBeltStart{{0, 0, 0.075}, {1, 0, 0, 0}};

WorldDesc spawn_world() {
  WorldDesc w = belt_world(kBeltV, kBeltMu);
  w.bodies[0].position = {7, 0, -10};
  w.bodies[0].active = false;
  return w;
}

double belt_crossing_s() { return kBeltL / kBeltV + kBeltV / (2 * kBeltMu * kG); }

// Steps until body b of lane l has moved `distance` along x; the time, linear between steps.
double crossing_after(BulletBatch& batch, int64_t l, int64_t b, double distance, double limit_s) {
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

bool same_pose(const Pose& a, const Pose& b) { return a.p == b.p && a.q == b.q; }

}  // namespace

TEST_CASE("bullet: a part spawned at rest on a belt at t = 1 s crosses L at 1 + L/v + v/(2 mu g)", "[bullet]") {
  BulletBatch batch(spawn_world(), 1);
  const Pose parked = batch.pose(0, 0);
  CHECK_FALSE(batch.active(0, 0));
  batch.step(500);  // 1 s dormant, below lost_below_z: never moved, never lost
  CHECK(same_pose(batch.pose(0, 0), parked));
  CHECK_FALSE(batch.lost(0, 0));
  CHECK(batch.lost_count(0) == 0);

  batch.spawn(0, 0, kBeltStart);
  CHECK(batch.active(0, 0));
  const double t = crossing_after(batch, 0, 0, kBeltL, 10.0);
  INFO("crossing " << t << " s, analytic " << 1.0 + belt_crossing_s() << " s");
  CHECK(std::abs((t - 1.0) - belt_crossing_s()) / belt_crossing_s() < 0.02);
  CHECK(batch.velocity(0, 0).linear[0] == Approx(kBeltV).epsilon(0.01));
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);

  // Despawned and spawned again in the same slot: a fresh part, the same crossing.
  batch.despawn(0, 0);
  CHECK_FALSE(batch.active(0, 0));
  const Pose left = batch.pose(0, 0);
  batch.step(100);
  CHECK(same_pose(batch.pose(0, 0), left));  // out of the world: not simulated
  const double t_again0 = batch.time();
  batch.spawn(0, 0, kBeltStart);
  CHECK(batch.velocity(0, 0).linear == Vec3d{0, 0, 0});
  const double t_again = crossing_after(batch, 0, 0, kBeltL, 20.0);
  INFO("second crossing " << t_again - t_again0 << " s after its spawn");
  CHECK(std::abs((t_again - t_again0) - (t - 1.0)) < 2 * 0.002);
}

TEST_CASE("bullet: a dormant slot never moves and never touches the part passing through its pose", "[bullet]") {
  WorldDesc w = belt_world(kBeltV, kBeltMu);  // slot 0: the part at the belt's start
  BodyDesc ghost = part_at(1.5, 0, 0, kBeltMu);
  ghost.active = false;
  w.bodies.push_back(ghost);
  BulletBatch batch(w, 1), reference(belt_world(kBeltV, kBeltMu), 1);
  const double t = crossing_after(batch, 0, 0, kBeltL, 10.0);
  reference.step(batch.steps_done());
  INFO("crossing " << t << " s, analytic " << belt_crossing_s() << " s");
  CHECK(std::abs(t - belt_crossing_s()) / belt_crossing_s() < 0.02);
  const Pose g = batch.pose(0, 1);
  for (int k = 0; k < 3; ++k) CHECK(g.p[k] == Approx(ghost.position[k]).margin(1e-6));  // Bullet keeps floats
  CHECK(std::abs(g.q[0]) == Approx(1.0).margin(1e-6));
  for (int k = 0; k < 3; ++k) CHECK(batch.pose(0, 0).p[k] == Approx(reference.pose(0, 0).p[k]).margin(1e-6));
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);
}

TEST_CASE("bullet: a respawned slot keeps nothing of its earlier part, contacts included", "[bullet]") {
  // As the kernel's test: lane 0 despawns its part mid-slip and respawns the slot at once at
  // the belt's start, where lane 1's slot gets its first part. Bullet drops a removed body's
  // contact manifolds, so both lanes must then run alike.
  BulletBatch batch(spawn_world(), 2);
  batch.step(500);
  batch.spawn(0, 0, kBeltStart);
  batch.step(25);  // 0.05 s: the part still slips (for v / (mu g) = 0.127 s)
  REQUIRE(batch.velocity(0, 0).linear[0] > 0.05);
  REQUIRE(batch.velocity(0, 0).linear[0] < kBeltV - 0.1);
  batch.despawn(0, 0);
  batch.spawn(0, 0, kBeltStart);
  batch.spawn(1, 0, kBeltStart);
  double worst = 0;
  for (int s = 0; s < 200; ++s) {
    batch.step();
    for (int k = 0; k < 3; ++k) worst = std::max(worst, std::abs(batch.pose(0, 0).p[k] - batch.pose(1, 0).p[k]));
  }
  INFO("largest position difference " << worst << " m");
  CHECK(worst < 1e-6);
}

TEST_CASE("bullet: spawn and despawn refuse what the slot's state forbids; a lost part frees its slot", "[bullet]") {
  BulletBatch batch(spawn_world(), 2);
  CHECK_THROWS_AS(batch.spawn(2, 0, kBeltStart), std::out_of_range);
  CHECK_THROWS_AS(batch.spawn(0, 1, kBeltStart), std::out_of_range);
  CHECK_THROWS_AS(batch.despawn(-1, 0), std::out_of_range);
  CHECK_THROWS_AS(batch.active(0, -1), std::out_of_range);
  CHECK_THROWS_AS(batch.despawn(0, 0), std::logic_error);  // already free
  Pose bad = kBeltStart;
  bad.q = {0, 0, 0, 0};
  CHECK_THROWS_AS(batch.spawn(0, 0, bad), std::invalid_argument);
  CHECK_FALSE(batch.active(0, 0));

  // A part spawned past the belt's end falls (lost below z = -5 in belt_world); lane 1 stays free.
  batch.spawn(0, 0, Pose{{6.0, 0, 0.075}, {1, 0, 0, 0}});
  CHECK_THROWS_AS(batch.spawn(0, 0, kBeltStart), std::logic_error);  // already active
  batch.step(750);
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

TEST_CASE("bullet: parts spawned at per-lane times cross per lane, the same with 1 and 2 threads", "[bullet]") {
  constexpr int64_t kLanes = 4;
  auto run = [&](int threads, std::vector<double>& crossing) {
    int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    BulletBatch batch(spawn_world(), kLanes);
    std::vector<double> x_prev(kLanes, 0), t_prev(kLanes, 0);
    crossing.assign(kLanes, -1);
    while (batch.time() < 7.5) {  // every part has crossed, none has reached the belt's end
      for (int64_t l = 0; l < kLanes; ++l) {
        if (batch.steps_done() == 250 + 125 * l) {  // lane l's part arrives at 0.5 + 0.25 l s
          batch.spawn(l, 0, kBeltStart);
          x_prev[size_t(l)] = kBeltStart.p[0];
        }
      }
      batch.step();
      for (int64_t l = 0; l < kLanes; ++l) {
        if (!batch.active(l, 0) || crossing[size_t(l)] >= 0) continue;
        double x = batch.pose(l, 0).p[0];
        if (x >= kBeltL && x_prev[size_t(l)] < kBeltL)
          crossing[size_t(l)] = t_prev[size_t(l)] + (batch.time() - t_prev[size_t(l)]) * (kBeltL - x_prev[size_t(l)]) /
                                                        (x - x_prev[size_t(l)]);
        x_prev[size_t(l)] = x;
        t_prev[size_t(l)] = batch.time();
      }
    }
    omp_set_num_threads(before);
    std::vector<Pose> poses;
    for (int64_t l = 0; l < kLanes; ++l) poses.push_back(batch.pose(l, 0));
    return poses;
  };
  std::vector<double> c1, c2;
  std::vector<Pose> one = run(1, c1), two = run(2, c2);
  for (int64_t l = 0; l < kLanes; ++l) {
    const double spawn = 0.5 + 0.25 * double(l);
    INFO("lane " << l << ": crossing " << c1[size_t(l)] << " s, analytic " << spawn + belt_crossing_s() << " s");
    CHECK(std::abs((c1[size_t(l)] - spawn) - belt_crossing_s()) / belt_crossing_s() < 0.02);
    CHECK(c1[size_t(l)] == c2[size_t(l)]);
    CHECK(same_pose(one[size_t(l)], two[size_t(l)]));
  }
  // The lanes really differ: each later part is a quarter second of belt (0.125 m) behind.
  for (int64_t l = 1; l < kLanes; ++l) CHECK(one[size_t(l - 1)].p[0] - one[size_t(l)].p[0] == Approx(0.125).margin(0.01));
}
