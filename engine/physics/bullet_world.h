// The Bullet reference backend: steps a WorldDesc with Bullet Physics, one
// btDiscreteDynamicsWorld per lane, OpenMP over lanes. It exists to validate the plantwin
// physics kernel (kernels/physics/) and as a second opinion, so it favours fidelity to the
// WorldDesc contract over speed (no sleeping bodies, two friction directions).
//
// How WorldDesc maps onto Bullet (what the two backends must agree on):
// - Materials: WorldDesc combines two surfaces' friction as sqrt(mu_a * mu_b) and, like the
//   kernel, restitution as max(e_a, e_b), with no bounce below 1 m/s of approach (the kernel's
//   restitution_threshold). Bullet multiplies both by default; this backend installs Bullet's
//   global combine callbacks with these rules (see bullet_world.cpp for why not per object).
// - Belts: a contact on a belt's top face (normal within 45 degrees of the box's local +z, as
//   in the kernel) aims for the relative tangential velocity `surface_velocity` projected on
//   the contact plane, through Bullet's contact-added callback (friction directions fixed by
//   the callback, with a target motion). Contacts on a belt's sides are plain friction.
// - Stoppers: raised in every lane at the start; a lowered stopper stays in the world but
//   gets no contact response.
// - Drives: each lane has its own copy of the belt surfaces; switching a drive off zeroes its
//   belts' velocity in that lane (a still surface: plain friction) and on restores it. The
//   callback runs only for contact points the narrowphase adds or replaces, so set_drive also
//   re-aims the lane's existing contact points on those belts (a cylinder's points persist).
// - Kinematic boxes: moved each step to center + kinematic_velocity * clamp(t - start, 0,
//   end - start); Bullet derives the contact velocity from the move.
// - Solver: one Bullet step of exactly dt per step (stepSimulation(dt, 0): no accumulator, so
//   deterministic); max(10, 4 * substeps) sequential-impulse iterations: a substep of the
//   kernel's solver is worth a few Gauss-Seidel sweeps, and 10 is Bullet's default. Two
//   friction directions per contact (a friction pyramid) and no sleeping.
// - Shapes: a cylinder is the kernel's 16-gon prism (a btConvexHullShape of its 32 vertices,
//   margin 0.5 mm) with the true cylinder's inertia. Bullet's own btCylinderShape touches a
//   box at one new point per step; an upright bottle rocked on it and toppled where the
//   kernel's stood (bottle-line: 34 of 42 bottles lost in 150 s). Every shape has Bullet's
//   polyhedral features, so box and prism contacts are clipped into full manifolds as in the
//   kernel. Box margins are shrunk to a fifth of the smallest half size (at most Bullet's
//   default 0.04 m), which keeps outer sizes.
// - Dormant and despawned bodies are out of their lane's world; spawn adds the body back
//   (after the lane's other objects: the solver's order then differs from a fresh world's,
//   deterministically).
// - Kinds: one collision shape and local inertia per WorldDesc::kinds entry (the body shapes'
//   margin rule), shared by the lanes; spawn with a kind gives the body, while it is out of
//   the world, that shape, mass, inertia and materials, and the slot keeps them.
// - Bullet has no contact capacity, so contact_overflow is always 0.
// - Bullet computes in single precision (Debian's build); poses are converted to double.
//
// The lanes' worlds share only immutable collision shapes, so results do not depend on the
// thread count, nor on whether lanes are stepped together (step) or one by one (step_lane). The callbacks are process-wide Bullet globals: this backend installs them
// once and assumes no other code in the process replaces them.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/physics/physics_runner.h"  // RunOptions, RunResult, BodyVelocity, check_world
#include "engine/physics/world_desc.h"

namespace plantwin::physics {

// run_physics_cpu's contract on Bullet: steps every lane of `world` from its initial state
// for round(seconds / dt) steps, every stopper raised, OpenMP over lanes (the current omp
// thread count). A lost body (centre below lost_below_z) is counted once, removed, and keeps
// the pose it was lost with. Identical results for any thread count. Throws
// std::invalid_argument for a world check_world rejects, lanes < 1, or record lanes that are
// out of range or listed twice.
RunResult run_physics_bullet(const WorldDesc& world, const RunOptions& options);

// The same worlds stepped call by call, with PhysicsBatch's interface: for tests and the flow
// coupling. Body, stopper, drive and kind indices follow WorldDesc (bodies[i];
// StaticBoxDesc::stopper = k, StaticBoxDesc::drive = k; kinds[k]). Lane, body, stopper, drive
// and kind indices out of range throw std::out_of_range.
class BulletBatch {
 public:
  // `lanes` (>= 1) identical worlds at time 0, stoppers raised; throws std::invalid_argument
  // like check_world.
  BulletBatch(const WorldDesc& world, int64_t lanes);
  ~BulletBatch();
  BulletBatch(const BulletBatch&) = delete;
  BulletBatch& operator=(const BulletBatch&) = delete;

  int64_t lanes() const;
  int64_t bodies() const;
  int32_t stoppers() const;  // 1 + the highest StaticBoxDesc::stopper index
  int64_t steps_done() const;  // calls of step() so far, in steps (step_lane not counted)
  double time() const;         // steps_done() * dt

  // Advances every lane by n steps (OpenMP over lanes), each on its own clock (lane_steps).
  void step(int64_t n = 1);
  // Advances only `lane` by n steps. Calls for different lanes may run at the same time on
  // different threads (each lane is its own Bullet world); not concurrently with step() or
  // with any other call for the same lane.
  void step_lane(int64_t lane, int64_t n = 1);
  // Steps lane `lane` has taken, by step() and step_lane(); its time is lane_steps * dt.
  int64_t lane_steps(int64_t lane) const;

  // A lost body keeps the pose and velocity it was lost with.
  Pose pose(int64_t lane, int64_t body) const;
  BodyVelocity velocity(int64_t lane, int64_t body) const;
  bool lost(int64_t lane, int64_t body) const;
  int64_t lost_count(int64_t lane) const;
  int64_t contact_overflow(int64_t lane) const;  // always 0: Bullet has no fixed capacity
  // Raises (true) or lowers stopper k in one lane; takes effect at the next step.
  void set_stopper(int64_t lane, int32_t k, bool up);
  bool stopper(int64_t lane, int32_t k) const;
  // Switches belt drive k of one lane on or off; all start on; takes effect at the next step.
  int32_t drives() const;      // 1 + the highest StaticBoxDesc::drive index
  void set_drive(int64_t lane, int32_t k, bool on);
  bool drive(int64_t lane, int32_t k) const;

  // Body slots, as PhysicsBatch's (see there): active, lost or free. A free slot's body is out
  // of its lane's world; spawn puts it in at `pose`, at rest (velocities and forces cleared),
  // despawn takes it out. With kind >= 0 the slot takes (and keeps) the shape, mass and
  // materials of WorldDesc::kinds[kind]. Same exceptions as PhysicsBatch.
  bool active(int64_t lane, int64_t body) const;
  void spawn(int64_t lane, int64_t body, const Pose& pose, int32_t kind = -1);
  void despawn(int64_t lane, int64_t body);

 private:
  struct Shared;
  struct Lane;
  friend RunResult run_physics_bullet(const WorldDesc&, const RunOptions&);
  const Lane& lane(int64_t l) const;
  Lane& lane(int64_t l);
  void check_body(int64_t b) const;
  void check_stopper(int32_t k) const;
  void check_drive(int32_t k) const;

  std::unique_ptr<Shared> shared_;  // declared first: the lanes use its shapes
  std::vector<std::unique_ptr<Lane>> lanes_;
  int64_t steps_ = 0;
};

}  // namespace plantwin::physics
