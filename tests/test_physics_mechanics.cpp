// The plantwin physics kernel (kernels/physics/) against mechanics worked out by hand: free
// fall, a part carried by a belt (stick-slip start), slopes below and above the friction
// angle, resting bodies and stacks, momentum and energy in a collision, a queue against a
// stopper, cylinders, parts spawned into dormant slots and despawned; and the engineering
// promises: thread-count independence, no silent contact drop, and (where a CUDA device
// exists) the same bits from the cuda kernel.
#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/physics/physics_runner.h"
#include "tests/physics_support.h"

namespace ph = plantwin::physics;

namespace {

constexpr double kG = 9.81;

using plantwin::test::cube;

// Rotation by angle a about the y axis.
ph::Quatd about_y(double a) { return {std::cos(a / 2), 0, std::sin(a / 2), 0}; }

// A belt: a static box whose top face is at z = top, running along x.
ph::StaticBoxDesc belt(double x0, double x1, double top, double speed, double mu = 0.4) {
  ph::StaticBoxDesc s;
  s.center = {(x0 + x1) / 2, 0, top - 0.05};
  s.half_extents = {(x1 - x0) / 2, 0.5, 0.05};
  s.friction = mu;
  s.surface_velocity = {speed, 0, 0};
  return s;
}

double kinetic_energy(const ph::PhysicsBatch& b, const std::vector<double>& mass, double half) {
  double e = 0;
  for (int64_t i = 0; i < b.bodies(); ++i) {
    ph::BodyVelocity v = b.velocity(0, i);
    double m = mass[static_cast<size_t>(i)], inertia = m * 2 * half * half / 3;  // a cube's
    for (int k = 0; k < 3; ++k) e += 0.5 * m * v.linear[k] * v.linear[k] + 0.5 * inertia * v.angular[k] * v.angular[k];
  }
  return e;
}

// Time at which body 0 of lane 0 has moved `distance` along x (linear between steps).
double crossing_time(ph::PhysicsBatch& batch, double distance, double limit_s) {
  double x0 = batch.pose(0, 0).p[0], prev = x0, tprev = 0;
  while (batch.time() < limit_s) {
    batch.step();
    double x = batch.pose(0, 0).p[0];
    if (x - x0 >= distance) return tprev + (batch.time() - tprev) * (x0 + distance - prev) / (x - prev);
    prev = x;
    tprev = batch.time();
  }
  return -1;
}

}  // namespace

TEST_CASE("physics: free fall reaches the floor at sqrt(2h/g), then rests", "[physics]") {
  ph::WorldDesc w;
  const double h = 1.0, half = 0.1;
  w.bodies.push_back(cube(half, {0, 0, h + half}));
  ph::PhysicsBatch batch(w, 1);
  const double expect = std::sqrt(2 * h / kG);
  double contact = -1;
  while (batch.time() < 1.0 && contact < 0) {
    batch.step();
    // Free fall keeps v = -g t exactly up to rounding; the first step with a contact
    // impulse departs from it.
    double vz = batch.velocity(0, 0).linear[2];
    if (std::abs(vz + kG * batch.time()) > 1e-6) contact = batch.time();
  }
  INFO("first contact at " << contact << " s, analytic " << expect << " s");
  CHECK(std::abs(contact - expect) <= w.dt);
  batch.step(500);
  CHECK(batch.pose(0, 0).p[2] == Approx(half).margin(1e-3));
  CHECK(std::abs(batch.velocity(0, 0).linear[2]) < 1e-3);
}

TEST_CASE("physics: a box on a belt crosses L in L/v + v/(2 mu g)", "[physics]") {
  const double v = 0.5, mu = 0.4, L = 3.0, half = 0.1;
  ph::WorldDesc w;
  w.floor = false;
  w.statics.push_back(belt(-0.5, 4.0, 0.0, v, mu));
  w.bodies.push_back(cube(half, {0, 0, half}, 1.0, mu));
  ph::PhysicsBatch batch(w, 1);
  double t = crossing_time(batch, L, 10.0);
  double expect = L / v + v / (2 * mu * kG);
  INFO("crossing " << t << " s, analytic " << expect << " s");
  CHECK(std::abs(t - expect) / expect < 0.02);
  CHECK(batch.velocity(0, 0).linear[0] == Approx(v).epsilon(0.01));
  CHECK(std::abs(batch.pose(0, 0).p[1]) < 1e-3);
}

TEST_CASE("physics: an upright cylinder on a belt is carried like a box", "[physics]") {
  const double v = 0.5, mu = 0.4, L = 3.0;
  ph::WorldDesc w;
  w.floor = false;
  w.statics.push_back(belt(-0.5, 4.0, 0.0, v, mu));
  ph::BodyDesc c;
  c.shape = ph::Shape::Cylinder;
  c.radius = 0.08;
  c.half_height = 0.12;
  c.mass = 0.8;
  c.friction = mu;
  c.position = {0, 0, 0.12};
  w.bodies.push_back(c);
  ph::PhysicsBatch batch(w, 1);
  double t = crossing_time(batch, L, 10.0);
  double expect = L / v + v / (2 * mu * kG);
  INFO("crossing " << t << " s, analytic " << expect << " s");
  CHECK(std::abs(t - expect) / expect < 0.02);
  ph::Pose p = batch.pose(0, 0);
  CHECK(p.p[2] == Approx(0.12).margin(1e-3));  // still upright
  CHECK(std::abs(p.q[0]) > 0.9999);
}

TEST_CASE("physics: on a slope a belt carries up below the friction angle, above it the part slides back", "[physics]") {
  const double v = 0.5, mu = 0.4, half = 0.1;
  for (double deg : {10.0, 30.0}) {
    const double th = deg * M_PI / 180;
    // Rotating by -theta about y tilts the belt's +x upwards: up-slope u = (cos, 0, sin).
    const ph::Vec3d up{std::cos(th), 0, std::sin(th)}, normal{-std::sin(th), 0, std::cos(th)};
    ph::WorldDesc w;
    w.floor = false;
    w.lost_below_z = -10;
    ph::StaticBoxDesc s;
    s.center = {0, 0, 0};
    s.orientation = about_y(-th);
    s.half_extents = {3, 0.5, 0.05};
    s.friction = mu;
    s.surface_velocity = {v * up[0], 0, v * up[2]};
    w.statics.push_back(s);
    ph::BodyDesc b = cube(half, {(0.05 + half) * normal[0], 0, (0.05 + half) * normal[2]}, 1.0, mu);
    b.orientation = about_y(-th);
    w.bodies.push_back(b);
    ph::PhysicsBatch batch(w, 1);
    auto along = [&] { ph::BodyVelocity bv = batch.velocity(0, 0); return bv.linear[0] * up[0] + bv.linear[2] * up[2]; };
    auto pos_along = [&] { ph::Pose p = batch.pose(0, 0); return p.p[0] * up[0] + p.p[2] * up[2]; };
    if (std::tan(th) < mu) {
      batch.step(1000);  // 2 s: the part reached the belt speed after v / (g (mu cos - sin)) = 0.23 s
      INFO(deg << " deg: speed along the slope " << along());
      CHECK(along() == Approx(v).epsilon(0.02));
      CHECK(pos_along() > 0.8);
    } else {
      const double a = kG * (std::sin(th) - mu * std::cos(th));
      batch.step(250);
      double v1 = along();
      batch.step(500);
      double v2 = along();
      double measured = -(v2 - v1) / 1.0;
      INFO(deg << " deg: acceleration down the slope " << measured << ", analytic " << a);
      CHECK(std::abs(measured - a) / a < 0.02);
    }
  }
}

TEST_CASE("physics: a resting box and a stack of five stand still", "[physics]") {
  const double half = 0.1;
  SECTION("one box, 10 s") {
    ph::WorldDesc w;
    w.bodies.push_back(cube(half, {0.3, -0.2, half}));
    ph::PhysicsBatch batch(w, 1);
    batch.step(5000);
    ph::Pose p = batch.pose(0, 0);
    double drift = std::hypot(p.p[0] - 0.3, p.p[1] + 0.2, p.p[2] - half);
    INFO("drift " << drift * 1e3 << " mm");
    CHECK(drift < 1e-3);
  }
  SECTION("five boxes, 10 s") {
    ph::WorldDesc w;
    for (int i = 0; i < 5; ++i) w.bodies.push_back(cube(half, {0, 0, half + 2 * half * i}, 1.0, 0.5));
    ph::PhysicsBatch batch(w, 1);
    batch.step(500);  // settle: the soft contacts take up the load
    std::vector<ph::Pose> settled;
    for (int i = 0; i < 5; ++i) settled.push_back(batch.pose(0, i));
    batch.step(4500);
    double worst = 0, worst_h = 0, sink = 0;
    for (int i = 0; i < 5; ++i) {
      ph::Pose p = batch.pose(0, i);
      worst = std::max(worst, std::hypot(p.p[0] - settled[i].p[0], p.p[1] - settled[i].p[1], p.p[2] - settled[i].p[2]));
      worst_h = std::max(worst_h, std::hypot(p.p[0], p.p[1]));
      sink = std::max(sink, half + 2 * half * i - p.p[2]);
    }
    INFO("drift after settling " << worst * 1e3 << " mm, horizontal " << worst_h * 1e3 << " mm, settled by "
                                 << sink * 1e3 << " mm");
    CHECK(worst < 2e-3);
    CHECK(worst_h < 2e-3);
    CHECK(sink < 2e-3);  // the soft contacts' sag, from the start
  }
}

TEST_CASE("physics: a collision in free space conserves momentum and never gains energy", "[physics]") {
  const double half = 0.1;
  for (double e : {0.0, 1.0}) {
    for (double offset : {0.0, 0.07}) {
      ph::WorldDesc w;
      w.gravity = 0;
      w.floor = false;
      ph::BodyDesc a = cube(half, {-0.5, 0, 1}, 1.0, 0.3), b = cube(half, {0.5, offset, 1}, 2.0, 0.3);
      a.velocity = {2, 0, 0};
      b.velocity = {-0.5, 0, 0};
      a.restitution = b.restitution = e;
      w.bodies = {a, b};
      const std::vector<double> mass{1.0, 2.0};
      ph::PhysicsBatch batch(w, 1);
      double e0 = kinetic_energy(batch, mass, half), prev = e0, worst_gain = 0, worst_p = 0;
      for (int k = 0; k < 500; ++k) {
        batch.step();
        double en = kinetic_energy(batch, mass, half);
        worst_gain = std::max(worst_gain, en - prev);
        prev = en;
        ph::BodyVelocity va = batch.velocity(0, 0), vb = batch.velocity(0, 1);
        for (int c = 0; c < 3; ++c) worst_p = std::max(worst_p, std::abs(va.linear[c] * 1.0 + vb.linear[c] * 2.0 - (c == 0 ? 1.0 : 0.0)));
      }
      double e1 = kinetic_energy(batch, mass, half);
      INFO("restitution " << e << ", offset " << offset << ": momentum error " << worst_p << ", largest energy gain in a step "
                          << worst_gain << " J, energy " << e0 << " -> " << e1 << " J");
      CHECK(worst_p / 1.0 < 1e-6);
      CHECK(worst_gain <= 1e-12 * e0);
      if (e == 1.0 && offset == 0.0) CHECK(e1 == Approx(e0).epsilon(0.01));  // elastic: bounces back
      if (e == 0.0) CHECK(e1 < e0);
      if (offset == 0.0) CHECK(batch.velocity(0, 0).linear[0] <= batch.velocity(0, 1).linear[0] + 1e-9);  // parted or stuck
    }
  }
}

namespace {

// Four parts on a belt, queueing against a stopper (index 0) near the belt's end.
ph::WorldDesc queue_world() {
  ph::WorldDesc w;
  w.floor = false;
  w.statics.push_back(belt(-2.0, 2.0, 0.0, 0.5, 0.4));
  ph::StaticBoxDesc stop;
  stop.center = {1.5, 0, 0.1};
  stop.half_extents = {0.01, 0.5, 0.1};
  stop.friction = 0.3;
  stop.stopper = 0;
  w.statics.push_back(stop);
  for (int i = 0; i < 4; ++i) w.bodies.push_back(cube(0.1, {-1.5 + 0.5 * i, 0, 0.1}, 1.0, 0.4));
  return w;
}

}  // namespace

TEST_CASE("physics: parts queue against a stopper without overlap or jitter, and go on when it drops", "[physics]") {
  ph::WorldDesc w = queue_world();
  ph::PhysicsBatch batch(w, 2);
  batch.set_stopper(1, 0, false);  // lane 1: lowered from the start
  batch.step(3000);                // 6 s: every part has arrived
  std::vector<double> lo(4, 1e9), hi(4, -1e9);
  double worst_overlap = 0;
  for (int k = 0; k < 1000; ++k) {  // the last 2 s
    batch.step();
    for (int i = 0; i < 4; ++i) {
      double x = batch.pose(0, i).p[0];
      lo[i] = std::min(lo[i], x);
      hi[i] = std::max(hi[i], x);
      double ahead = i == 3 ? 1.49 : batch.pose(0, i + 1).p[0] - 0.1;  // stopper face, or the next part's back
      worst_overlap = std::max(worst_overlap, x + 0.1 - ahead);
    }
  }
  double jitter = 0;
  for (int i = 0; i < 4; ++i) jitter = std::max(jitter, hi[i] - lo[i]);
  INFO("largest overlap " << worst_overlap * 1e3 << " mm, jitter " << jitter * 1e3 << " mm, front part at "
                          << batch.pose(0, 3).p[0]);
  CHECK(worst_overlap < 1e-3);
  CHECK(jitter < 1e-3);
  CHECK(batch.pose(0, 3).p[0] == Approx(1.39).margin(2e-3));
  // The belt slips under the queue: the parts stand.
  CHECK(std::abs(batch.velocity(0, 0).linear[0]) < 1e-3);
  // Lane 1 had no stopper: its front part left the belt's end long ago.
  CHECK(batch.pose(1, 3).p[0] > 2.0);
  // Lowering the stopper in lane 0 releases the queue.
  batch.set_stopper(0, 0, false);
  batch.step(500);
  CHECK(batch.pose(0, 3).p[0] > 1.6);
}

TEST_CASE("physics: a kinematic pusher moves a part; a part off the line is lost once", "[physics]") {
  ph::WorldDesc w;
  ph::StaticBoxDesc pusher;
  pusher.center = {-0.25, 0, 0.1};
  pusher.half_extents = {0.05, 0.3, 0.1};
  pusher.kinematic = true;
  pusher.kinematic_velocity = {0.3, 0, 0};
  pusher.kinematic_start = 0.0;
  pusher.kinematic_end = 2.0;
  w.statics.push_back(pusher);
  w.bodies.push_back(cube(0.1, {0, 0, 0.1}, 1.0, 0.2));
  w.floor = false;
  ph::StaticBoxDesc table;  // a table ending at x = 0.45: pushed past its edge, the part falls off
  table.center = {-0.15, 0, -0.05};
  table.half_extents = {0.6, 0.5, 0.05};
  w.statics.push_back(table);
  w.lost_below_z = -1.0;
  ph::PhysicsBatch batch(w, 1);
  batch.step(500);  // 1 s: the pusher has touched the part at 0.33 s and moves it at 0.3 m/s
  CHECK(batch.velocity(0, 0).linear[0] == Approx(0.3).margin(0.02));
  CHECK(batch.pose(0, 0).p[0] == Approx(0.2).margin(0.01));  // pushed from 1/3 s on
  batch.step(1500);  // the part tips over the table's edge and falls
  CHECK(batch.lost(0, 0));
  CHECK(batch.lost_count(0) == 1);
  batch.step(100);
  CHECK(batch.lost_count(0) == 1);
}

TEST_CASE("physics: results do not depend on the thread count", "[physics]") {
  ph::WorldDesc w = queue_world();
  for (int i = 0; i < 3; ++i) {  // some tumbling too
    ph::BodyDesc c = cube(0.05, {-1.0 + 0.3 * i, 0.2, 0.5 + 0.1 * i}, 0.5, 0.5);
    c.orientation = {std::cos(0.3), std::sin(0.3) * 0.6, 0, std::sin(0.3) * 0.8};
    c.angular_velocity = {1, 2, 3};
    w.bodies.push_back(c);
  }
  ph::RunOptions o;
  o.lanes = 6;
  o.seconds = 1.5;
  o.record_lanes = {4};
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  ph::RunResult one = ph::run_physics_cpu(w, o);
  omp_set_num_threads(2);
  ph::RunResult two = ph::run_physics_cpu(w, o);
  omp_set_num_threads(saved);
  REQUIRE(one.final_pose.size() == two.final_pose.size());
  CHECK(std::memcmp(one.final_pose.data(), two.final_pose.data(), one.final_pose.size() * sizeof(ph::Pose)) == 0);
  // Every lane starts the same, so every lane ends the same, bit for bit.
  for (int64_t l = 1; l < o.lanes; ++l)
    CHECK(std::memcmp(one.final_pose.data(), one.final_pose.data() + l * one.bodies, one.bodies * sizeof(ph::Pose)) == 0);
  REQUIRE(one.trajectories.size() == 1);
  CHECK(one.trajectories[0].size() == static_cast<size_t>(one.steps * one.bodies));
  CHECK(std::memcmp(one.trajectories[0].data() + (one.steps - 1) * one.bodies, one.final_pose.data() + 4 * one.bodies,
                    one.bodies * sizeof(ph::Pose)) == 0);
  CHECK(one.times.back() == Approx(1.5));
}

TEST_CASE("physics: a full contact buffer is counted, never dropped silently", "[physics]") {
  ph::WorldDesc w;
  w.bodies.push_back(cube(0.1, {0, 0, 0.1}));
  w.contact_capacity = 2;  // a box on the floor needs 4
  ph::PhysicsBatch batch(w, 1);
  batch.step(10);
  CHECK(batch.contact_count(0) == 2);
  CHECK(batch.contact_overflow(0) == 10);
  ph::WorldDesc roomy = w;
  roomy.contact_capacity = 0;  // default: 16 per body
  ph::PhysicsBatch ok(roomy, 1);
  ok.step(10);
  CHECK(ok.contact_count(0) == 4);
  CHECK(ok.contact_overflow(0) == 0);
}

TEST_CASE("physics: a world that cannot be simulated is refused", "[physics]") {
  ph::WorldDesc w;
  w.bodies.push_back(cube(0.1, {0, 0, 0.1}));
  w.bodies[0].mass = 0;
  CHECK_THROWS_AS(ph::PhysicsBatch(w, 1), std::invalid_argument);
  w.bodies[0].mass = 1;
  w.dt = 0;
  CHECK_THROWS_AS(ph::run_physics_cpu(w, {}), std::invalid_argument);
}

TEST_CASE("physics: tumbling boxes and cylinders come to rest on a face", "[physics]") {
  // Dropped at tilted orientations: every feature pair of the narrow phase (faces, edges,
  // the prism's rims) meets the floor or another body on the way down.
  ph::WorldDesc w;
  const double tilt[6][4] = {{0.9, 0.3, 0.2, 0.1}, {0.7, -0.5, 0.4, 0.3}, {0.6, 0.6, -0.4, 0.3},
                             {0.95, 0.1, 0.25, 0.0}, {0.8, 0.0, 0.6, 0.0}, {0.5, 0.5, 0.5, 0.5}};
  for (int i = 0; i < 6; ++i) {
    ph::BodyDesc b;
    if (i % 2 == 0) {
      b.shape = ph::Shape::Box;
      b.half_extents = {0.15, 0.1, 0.05};
    } else {
      b.shape = ph::Shape::Cylinder;
      b.radius = 0.06;
      b.half_height = 0.1;
    }
    b.position = {0.5 * (i % 3), 0.6 * (i / 3), 0.4};
    double n = std::sqrt(tilt[i][0] * tilt[i][0] + tilt[i][1] * tilt[i][1] + tilt[i][2] * tilt[i][2] + tilt[i][3] * tilt[i][3]);
    b.orientation = {tilt[i][0] / n, tilt[i][1] / n, tilt[i][2] / n, tilt[i][3] / n};
    b.angular_velocity = {0.5 * i, -1.0, 2.0};
    b.friction = 0.5;
    w.bodies.push_back(b);
  }
  // And one of each dropped onto a resting box.
  w.bodies.push_back(cube(0.15, {2.0, 0, 0.15}, 3.0));
  ph::BodyDesc c;
  c.shape = ph::Shape::Cylinder;
  c.radius = 0.05;
  c.half_height = 0.08;
  c.position = {2.02, 0.03, 0.6};
  c.orientation = {0.98, 0.2, 0, 0};
  w.bodies.push_back(c);
  ph::PhysicsBatch batch(w, 1);
  batch.step(2500);  // 5 s
  // Resting heights: a box on one of its faces; the prism on a cap or on a side face, which
  // lies r cos(pi/16) from its axis.
  const double side = 0.06 * std::cos(M_PI / 16);
  for (int i = 0; i < 6; ++i) {
    ph::Pose p = batch.pose(0, i);
    ph::BodyVelocity v = batch.velocity(0, i);
    double z = p.p[2];
    std::vector<double> ok = i % 2 == 0 ? std::vector<double>{0.15, 0.1, 0.05} : std::vector<double>{0.1, side};
    double miss = 1;
    for (double h : ok) miss = std::min(miss, std::abs(z - h));
    INFO("body " << i << " rests at z = " << z << ", speed " << std::hypot(v.linear[0], v.linear[1], v.linear[2])
                 << ", spin " << std::hypot(v.angular[0], v.angular[1], v.angular[2]));
    CHECK(miss < 1e-3);
    CHECK(std::hypot(v.linear[0], v.linear[1], v.linear[2]) < 1e-3);
    CHECK(std::hypot(v.angular[0], v.angular[1], v.angular[2]) < 1e-2);
  }
  ph::Pose top = batch.pose(0, 7);
  INFO("cylinder on the box at z = " << top.p[2]);
  CHECK((std::abs(top.p[2] - (0.3 + 0.08)) < 2e-3 || std::abs(top.p[2] - (0.3 + 0.05 * std::cos(M_PI / 16))) < 2e-3));
  CHECK(batch.lost_count(0) == 0);
}

TEST_CASE("physics: lanes run in chunks give each lane's result of a one-lane run, recordings included", "[physics]") {
  ph::WorldDesc w = queue_world();
  ph::BodyDesc c = cube(0.05, {-1.0, 0.2, 0.5}, 0.5, 0.5);
  c.angular_velocity = {1, 2, 3};
  w.bodies.push_back(c);
  ph::RunOptions o;
  o.seconds = 0.5;
  o.record_lanes = {0};
  int saved = omp_get_max_threads();
  omp_set_num_threads(2);  // chunks of 16 lanes
  ph::RunResult one = ph::run_physics_cpu(w, o);
  o.lanes = 37;  // three chunks, the last one short
  o.record_lanes = {36, 5, 16};
  ph::RunResult many = ph::run_physics_cpu(w, o);
  omp_set_num_threads(saved);
  const size_t pose_bytes = static_cast<size_t>(one.bodies) * sizeof(ph::Pose);
  for (int64_t l = 0; l < o.lanes; ++l) {
    INFO("lane " << l);
    CHECK(std::memcmp(many.final_pose.data() + l * many.bodies, one.final_pose.data(), pose_bytes) == 0);
    CHECK(many.lost[l] == one.lost[0]);
  }
  REQUIRE(many.trajectories.size() == 3);
  for (const auto& t : many.trajectories)
    CHECK(std::memcmp(t.data(), one.trajectories[0].data(), one.trajectories[0].size() * sizeof(ph::Pose)) == 0);
}

TEST_CASE("physics: the cuda kernel gives the cpu kernel's poses bit for bit", "[physics][cuda]") {
  std::string why;
  if (!plantwin::cuda_available(&why)) {
    WARN("physics cuda kernel not checked: " << why);
    return;
  }
  ph::WorldDesc w = queue_world();
  for (int i = 0; i < 3; ++i) {  // tumbling boxes and a cylinder: every narrow-phase path
    ph::BodyDesc c = cube(0.05, {-1.0 + 0.3 * i, 0.2, 0.5 + 0.1 * i}, 0.5, 0.5);
    c.orientation = {std::cos(0.3), std::sin(0.3) * 0.6, 0, std::sin(0.3) * 0.8};
    c.angular_velocity = {1, 2, 3};
    if (i == 2) {
      c.shape = ph::Shape::Cylinder;
      c.radius = 0.05;
      c.half_height = 0.08;
    }
    w.bodies.push_back(c);
  }
  w.bodies[4].restitution = 0.5;
  ph::RunOptions o;
  o.lanes = 37;  // not a multiple of a warp
  o.seconds = 2;
  o.record_lanes = {5, 36};
  ph::RunResult cpu = ph::run_physics_cpu(w, o), gpu = ph::run_physics_cuda(w, o);
  REQUIRE(cpu.final_pose.size() == gpu.final_pose.size());
  CHECK(std::memcmp(cpu.final_pose.data(), gpu.final_pose.data(), cpu.final_pose.size() * sizeof(ph::Pose)) == 0);
  CHECK(cpu.lost == gpu.lost);
  CHECK(cpu.contact_overflow == gpu.contact_overflow);
  REQUIRE(gpu.trajectories.size() == 2);
  for (size_t r = 0; r < 2; ++r)
    CHECK(std::memcmp(cpu.trajectories[r].data(), gpu.trajectories[r].data(), cpu.trajectories[r].size() * sizeof(ph::Pose)) == 0);
}
