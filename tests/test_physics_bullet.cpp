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
