#include "engine/physics/bullet_world.h"

#include <btBulletDynamicsCommon.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

namespace plantwin::physics {

namespace {

btVector3 to_bt(const Vec3d& v) { return btVector3(btScalar(v[0]), btScalar(v[1]), btScalar(v[2])); }
btQuaternion to_bt(const Quatd& q) { return btQuaternion(btScalar(q[1]), btScalar(q[2]), btScalar(q[3]), btScalar(q[0])); }
Vec3d from_bt(const btVector3& v) { return {double(v.x()), double(v.y()), double(v.z())}; }

// Bullet's default margin (0.04 m) rounds the corners of the small boxes of a line and exceeds
// thin guides; box and cylinder shapes keep their outer size when the margin changes.
void set_margin(btConvexInternalShape& shape, double smallest_half) {
  shape.setMargin(btScalar(std::min(0.04, 0.2 * smallest_half)));
}

// A belt's moving surface, read by the contact callback through the belt's user pointer.
struct BeltSurface {
  btVector3 velocity;  // world frame
  btVector3 up;        // the belt box's local +z: the normal of its top face
};

// Top-face contacts on a belt aim for the belt's tangential velocity: friction direction 1
// along it with that target relative motion, direction 2 across it with none. o0 is the
// manifold's body 0. Runs on many threads at once (one world per lane): it reads only the
// lane's own BeltSurface. Returns whether it aimed the point.
bool aim_at_belt(btManifoldPoint& cp, const btCollisionObject* o0, const btCollisionObject* o1) {
  // o0 is the solver's body A, and the friction rows aim for (v_A - v_B) . dir =
  // m_contactMotion1: the sign depends on which side the belt is.
  auto belt = static_cast<const BeltSurface*>(o0->getUserPointer());
  btScalar sign = -1;
  if (!belt) {
    belt = static_cast<const BeltSurface*>(o1->getUserPointer());
    sign = 1;
  }
  if (!belt) return false;
  // The top face only (as the kernel): a normal within 45 degrees of the belt's up, at a point
  // above its centre. Bullet's normal points towards body A, so test its direction both ways.
  // (A belt is a top-level object: its wrapper's transform is the object's.)
  const btVector3& n = cp.m_normalWorldOnB;
  const btCollisionObject* bo = sign < 0 ? o0 : o1;
  btVector3 at = (cp.getPositionWorldOnA() + cp.getPositionWorldOnB()) * btScalar(0.5) - bo->getWorldTransform().getOrigin();
  if (btFabs(n.dot(belt->up)) < btScalar(0.70710678) || at.dot(belt->up) <= 0) return false;
  btVector3 tangential = belt->velocity - n * n.dot(belt->velocity);
  btScalar speed = tangential.length();
  if (speed < btScalar(1e-7)) return false;  // a stopped drive: a plain, still surface
  cp.m_lateralFrictionDir1 = tangential / speed;
  cp.m_lateralFrictionDir2 = cp.m_lateralFrictionDir1.cross(n).normalized();
  cp.m_contactMotion1 = sign * speed;
  cp.m_contactMotion2 = 0;
  cp.m_contactPointFlags |= BT_CONTACT_FLAG_LATERAL_FRICTION_INITIALIZED;
  return true;
}

bool belt_contact_added(btManifoldPoint& cp, const btCollisionObjectWrapper* w0, int, int,
                        const btCollisionObjectWrapper* w1, int, int) {
  return aim_at_belt(cp, w0->getCollisionObject(), w1->getCollisionObject());
}

// WorldDesc's material rules (the kernel's): friction sqrt(mu_a * mu_b), restitution
// max(e_a, e_b). Bullet's defaults multiply both. Friction alone could be matched per object
// (give each sqrt(mu): the product is then sqrt(mu_a * mu_b)), but no per-object value makes a
// product into a max, so both rules go through Bullet's combine callbacks, and every object
// keeps WorldDesc's own coefficients.
btScalar combined_friction(const btCollisionObject* a, const btCollisionObject* b) {
  return btSqrt(a->getFriction() * b->getFriction());
}
btScalar combined_restitution(const btCollisionObject* a, const btCollisionObject* b) {
  return btMax(a->getRestitution(), b->getRestitution());
}

std::once_flag g_callbacks_once;

// Bullet's callbacks are process-wide function pointers, read by every lane's thread: set
// them once, before any world steps.
void install_callbacks() {
  std::call_once(g_callbacks_once, [] {
    gContactAddedCallback = &belt_contact_added;
    gCalculateCombinedFrictionCallback = &combined_friction;
    gCalculateCombinedRestitutionCallback = &combined_restitution;
  });
}

// Indices grouped by a StaticBoxDesc field (stopper or drive); -1 entries belong to none.
void group_by(std::vector<std::vector<int32_t>>& groups, int32_t k, size_t i) {
  if (k < 0) return;
  if (size_t(k) >= groups.size()) groups.resize(size_t(k) + 1);
  groups[size_t(k)].push_back(int32_t(i));
}

}  // namespace

// What every lane reads and nobody writes while stepping: the description, the collision
// shapes (Bullet shapes are only read during collision detection) and the belt surfaces as
// described (each lane copies them: its drives may stop its belts).
struct BulletBatch::Shared {
  WorldDesc desc;
  std::vector<std::unique_ptr<btCollisionShape>> body_shapes, kind_shapes, static_shapes;
  std::unique_ptr<btStaticPlaneShape> floor_shape;
  std::vector<btVector3> body_inertia, kind_inertia;
  std::vector<BeltSurface> belts;                   // [static]; used where surface_velocity != 0
  std::vector<std::vector<int32_t>> stopper_boxes;  // [stopper]: static indices
  std::vector<std::vector<int32_t>> drive_boxes;    // [drive]: static indices
  std::vector<int32_t> kinematic;                   // static indices
  int iterations = 10;

  // A body's (or a kind's) collision shape and its local inertia.
  static void add_shape(const BodyDesc& b, std::vector<std::unique_ptr<btCollisionShape>>& shapes,
                        std::vector<btVector3>& inertias) {
    std::unique_ptr<btPolyhedralConvexShape> shape;
    btVector3 inertia(0, 0, 0);
    if (b.shape == Shape::Cylinder) {
      // The kernel's 16-gon prism (vertices on the rims at angles k pi / 8) with the true
      // cylinder's inertia: Bullet's own cylinder touches a box at one point per step, and an
      // upright bottle rocks on it until it topples; the prism's faces give a full manifold.
      auto hull = std::make_unique<btConvexHullShape>();
      constexpr double kPi = 3.14159265358979323846;
      for (int z : {-1, 1})
        for (int k = 0; k < 16; ++k)
          hull->addPoint(btVector3(btScalar(b.radius * std::cos(k * kPi / 8)), btScalar(b.radius * std::sin(k * kPi / 8)),
                                   btScalar(z * b.half_height)),
                         false);
      hull->recalcLocalAabb();
      hull->setMargin(btScalar(0.0005));  // hull margins are added outside: keep the size
      const double m = b.mass, r = b.radius, hh = b.half_height;
      const double side = m * (3 * r * r + 4 * hh * hh) / 12;
      inertia = btVector3(btScalar(side), btScalar(side), btScalar(m * r * r / 2));
      shape = std::move(hull);
    } else {
      shape = std::make_unique<btBoxShape>(to_bt(b.half_extents));
      set_margin(*shape, std::min({b.half_extents[0], b.half_extents[1], b.half_extents[2]}));
      shape->calculateLocalInertia(btScalar(b.mass), inertia);
    }
    // Polyhedral features make Bullet clip faces into a full contact manifold (as the kernel
    // does) instead of adding one point per step.
    shape->initializePolyhedralFeatures();
    inertias.push_back(inertia);
    shapes.push_back(std::move(shape));
  }

  explicit Shared(const WorldDesc& d) : desc(d) {
    for (const BodyDesc& b : desc.bodies) add_shape(b, body_shapes, body_inertia);
    for (const BodyDesc& b : desc.kinds) add_shape(b, kind_shapes, kind_inertia);
    belts.resize(desc.statics.size());
    for (size_t i = 0; i < desc.statics.size(); ++i) {
      const StaticBoxDesc& s = desc.statics[i];
      auto shape = std::make_unique<btBoxShape>(to_bt(s.half_extents));
      set_margin(*shape, std::min({s.half_extents[0], s.half_extents[1], s.half_extents[2]}));
      shape->initializePolyhedralFeatures();
      static_shapes.push_back(std::move(shape));
      belts[i].velocity = to_bt(s.surface_velocity);
      belts[i].up = btMatrix3x3(to_bt(s.orientation)).getColumn(2);
      group_by(stopper_boxes, s.stopper, i);
      group_by(drive_boxes, s.drive, i);
      if (s.kinematic) kinematic.push_back(int32_t(i));
    }
    if (desc.floor) floor_shape = std::make_unique<btStaticPlaneShape>(btVector3(0, 0, 1), btScalar(0));
    iterations = std::max(10, 4 * desc.substeps);
  }

  bool is_belt(size_t i) const {
    const Vec3d& v = desc.statics[i].surface_velocity;
    return v[0] != 0 || v[1] != 0 || v[2] != 0;
  }

  // Where kinematic box i is at time t: it moves with its velocity during [start, end).
  btTransform kinematic_pose(size_t i, double t) const {
    const StaticBoxDesc& s = desc.statics[i];
    double moved = std::clamp(t - s.kinematic_start, 0.0, std::max(0.0, s.kinematic_end - s.kinematic_start));
    Vec3d c{s.center[0] + s.kinematic_velocity[0] * moved, s.center[1] + s.kinematic_velocity[1] * moved,
            s.center[2] + s.kinematic_velocity[2] * moved};
    return btTransform(to_bt(s.orientation), to_bt(c));
  }
};

namespace {

// Pools sized for a line's few contacts per body; Bullet falls back to the heap beyond them
// (its defaults, 4096 of each, would cost megabytes per lane).
btDefaultCollisionConstructionInfo pool_sizes(size_t bodies) {
  btDefaultCollisionConstructionInfo ci;
  ci.m_defaultMaxPersistentManifoldPoolSize = int(4 * bodies + 32);
  ci.m_defaultMaxCollisionAlgorithmPoolSize = int(4 * bodies + 32);
  return ci;
}

}  // namespace

// One lane: its own Bullet world and its own bodies (Bullet writes to bodies while stepping).
struct BulletBatch::Lane {
  btDefaultCollisionConfiguration config;
  btCollisionDispatcher dispatcher;
  btDbvtBroadphase broadphase;
  btSequentialImpulseConstraintSolver solver;
  btDiscreteDynamicsWorld world;
  std::vector<std::unique_ptr<btDefaultMotionState>> motion;  // [static]; kinematic boxes only
  std::vector<std::unique_ptr<btRigidBody>> statics, bodies;
  std::unique_ptr<btRigidBody> floor;
  // [static]: this lane's belt surfaces, read by the contact callback through the belts' user
  // pointers (never resized after construction); a stopped drive zeroes its belts' velocity.
  std::vector<BeltSurface> belts;
  std::vector<uint8_t> stopper_on, drive_on, lost_body;
  std::vector<uint8_t> active;  // [body]: in the world (neither free nor lost)
  int64_t lost = 0;
  int64_t steps = 0;

  explicit Lane(const Shared& sh)
      : config(pool_sizes(sh.desc.bodies.size())),
        dispatcher(&config),
        world(&dispatcher, &broadphase, &solver, &config),
        belts(sh.belts) {
    const WorldDesc& d = sh.desc;
    world.setGravity(btVector3(0, 0, btScalar(-d.gravity)));
    btContactSolverInfo& info = world.getSolverInfo();
    info.m_numIterations = sh.iterations;
    // Two friction directions: an isotropic friction pyramid, and the belt callback's
    // directions are used as set (friction direction caching).
    info.m_solverMode |= SOLVER_USE_2_FRICTION_DIRECTIONS | SOLVER_ENABLE_FRICTION_DIRECTION_CACHING;
    info.m_restitutionVelocityThreshold = btScalar(phys::PhysicsParams().restitution_threshold);

    if (sh.floor_shape) {
      btRigidBody::btRigidBodyConstructionInfo ci(0, nullptr, sh.floor_shape.get());
      ci.m_friction = btScalar(d.floor_friction);
      ci.m_restitution = 0;
      floor = std::make_unique<btRigidBody>(ci);
      world.addRigidBody(floor.get());
    }
    motion.resize(d.statics.size());
    for (size_t i = 0; i < d.statics.size(); ++i) {
      const StaticBoxDesc& s = d.statics[i];
      btTransform start(to_bt(s.orientation), to_bt(s.center));
      if (s.kinematic) motion[i] = std::make_unique<btDefaultMotionState>(start);
      btRigidBody::btRigidBodyConstructionInfo ci(0, motion[i].get(), sh.static_shapes[i].get());
      ci.m_startWorldTransform = start;
      ci.m_friction = btScalar(s.friction);
      ci.m_restitution = btScalar(s.restitution);
      auto body = std::make_unique<btRigidBody>(ci);
      if (s.kinematic) {
        body->setCollisionFlags(body->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
        body->setActivationState(DISABLE_DEACTIVATION);
      }
      if (sh.is_belt(i)) {
        body->setCollisionFlags(body->getCollisionFlags() | btCollisionObject::CF_CUSTOM_MATERIAL_CALLBACK);
        body->setUserPointer(&belts[i]);
      }
      world.addRigidBody(body.get());
      statics.push_back(std::move(body));
    }
    for (size_t i = 0; i < d.bodies.size(); ++i) {
      const BodyDesc& b = d.bodies[i];
      btRigidBody::btRigidBodyConstructionInfo ci(btScalar(b.mass), nullptr, sh.body_shapes[i].get(), sh.body_inertia[i]);
      ci.m_startWorldTransform = btTransform(to_bt(b.orientation), to_bt(b.position));
      ci.m_friction = btScalar(b.friction);
      ci.m_restitution = btScalar(b.restitution);
      auto body = std::make_unique<btRigidBody>(ci);
      body->setLinearVelocity(to_bt(b.velocity));
      body->setAngularVelocity(to_bt(b.angular_velocity));
      // No sleeping: a resting part would not wake when a stopper (a static body) is lowered,
      // and the plantwin kernel has no sleeping either.
      body->setActivationState(DISABLE_DEACTIVATION);
      if (b.active) world.addRigidBody(body.get());  // a dormant slot waits outside the world
      bodies.push_back(std::move(body));
      active.push_back(b.active ? 1 : 0);
    }
    stopper_on.assign(sh.stopper_boxes.size(), 1);
    drive_on.assign(sh.drive_boxes.size(), 1);
    lost_body.assign(d.bodies.size(), 0);
  }

  // Puts free slot i into the world at `pose`, at rest. Removal dropped its contact manifolds
  // (Bullet's warm-start data), so nothing of an earlier occupant carries over.
  void spawn(size_t i, const Pose& pose) {
    btRigidBody& b = *bodies[i];
    // setCenterOfMassTransform also resets the interpolation transform and the world inertia.
    b.setCenterOfMassTransform(btTransform(to_bt(pose.q).normalized(), to_bt(pose.p)));
    b.setLinearVelocity(btVector3(0, 0, 0));
    b.setAngularVelocity(btVector3(0, 0, 0));
    b.setInterpolationLinearVelocity(btVector3(0, 0, 0));
    b.setInterpolationAngularVelocity(btVector3(0, 0, 0));
    b.clearForces();
    world.addRigidBody(&b);  // applies the world's gravity
    active[i] = 1;
    lost_body[i] = 0;
  }

  // Gives free slot i the shape, mass, inertia and materials of kind k (a body out of the
  // world: no broadphase proxy or contacts hold the old shape; addRigidBody computes the new
  // bounds). The slot keeps them.
  void take_kind(const Shared& sh, size_t i, size_t k) {
    btRigidBody& b = *bodies[i];
    const BodyDesc& kind = sh.desc.kinds[k];
    b.setCollisionShape(sh.kind_shapes[k].get());
    b.setMassProps(btScalar(kind.mass), sh.kind_inertia[k]);
    b.updateInertiaTensor();
    b.setFriction(btScalar(kind.friction));
    b.setRestitution(btScalar(kind.restitution));
  }

  // Switches drive k: its belts move as described or stand still. Points the narrowphase keeps
  // from earlier steps (it re-adds a box pair's each step, but only one new point per step for
  // a cylinder) are aimed anew, as the callback would aim them now.
  void set_drive(const Shared& sh, size_t k, bool on) {
    drive_on[k] = on ? 1 : 0;
    for (int32_t i : sh.drive_boxes[k]) belts[size_t(i)].velocity = on ? sh.belts[size_t(i)].velocity : btVector3(0, 0, 0);
    for (int m = 0; m < dispatcher.getNumManifolds(); ++m) {
      btPersistentManifold* pm = dispatcher.getManifoldByIndexInternal(m);
      const btCollisionObject *o0 = pm->getBody0(), *o1 = pm->getBody1();
      if (!o0->getUserPointer() && !o1->getUserPointer()) continue;  // no belt
      for (int c = 0; c < pm->getNumContacts(); ++c) {
        btManifoldPoint& cp = pm->getContactPoint(c);
        cp.m_contactPointFlags &= ~BT_CONTACT_FLAG_LATERAL_FRICTION_INITIALIZED;
        cp.m_contactMotion1 = cp.m_contactMotion2 = 0;
        aim_at_belt(cp, o0, o1);
      }
    }
  }

  // Frees an active or lost slot; a lost body has already left the world.
  void despawn(size_t i) {
    btRigidBody& b = *bodies[i];
    if (active[i]) world.removeRigidBody(&b);
    b.setLinearVelocity(btVector3(0, 0, 0));
    b.setAngularVelocity(btVector3(0, 0, 0));
    b.clearForces();
    active[i] = 0;
    lost_body[i] = 0;
  }

  ~Lane() {
    // The world's destructor would touch its bodies, which are destroyed before it.
    for (int i = world.getNumCollisionObjects() - 1; i >= 0; --i) world.removeCollisionObject(world.getCollisionObjectArray()[i]);
  }

  void step(const Shared& sh) {
    const WorldDesc& d = sh.desc;
    // Kinematic boxes go where they are at the end of the step; Bullet takes their velocity
    // from the move.
    double t_end = double(steps + 1) * d.dt;
    for (int32_t i : sh.kinematic) motion[size_t(i)]->setWorldTransform(sh.kinematic_pose(size_t(i), t_end));
    world.stepSimulation(btScalar(d.dt), 0);
    ++steps;
    for (size_t i = 0; i < bodies.size(); ++i) {
      if (!active[i] || double(bodies[i]->getCenterOfMassPosition().z()) >= d.lost_below_z) continue;
      active[i] = 0;
      lost_body[i] = 1;
      ++lost;
      world.removeRigidBody(bodies[i].get());
    }
  }
};

// Threads: each lane's world, bodies, belt surfaces, dispatcher and solver are its own, the
// shapes are only read, and the callbacks are installed before any step. What Bullet itself
// shares across worlds is statistics counters (gNumSplitImpulseRecoveries, ...), whose racy
// increments never feed back into a simulation.
BulletBatch::BulletBatch(const WorldDesc& world, int64_t lanes) {
  check_world(world);
  if (lanes < 1) throw std::invalid_argument("physics world: lanes must be >= 1");
  install_callbacks();
  shared_ = std::make_unique<Shared>(world);
  lanes_.resize(size_t(lanes));
  // Built by the thread that steps it under schedule(static): its memory is local to it.
#pragma omp parallel for schedule(static)
  for (int64_t l = 0; l < lanes; ++l) lanes_[size_t(l)] = std::make_unique<Lane>(*shared_);
}

BulletBatch::~BulletBatch() = default;

const BulletBatch::Lane& BulletBatch::lane(int64_t l) const {
  if (l < 0 || l >= lanes()) throw std::out_of_range("bullet batch: lane " + std::to_string(l) + " out of range");
  return *lanes_[size_t(l)];
}
BulletBatch::Lane& BulletBatch::lane(int64_t l) {
  return const_cast<Lane&>(static_cast<const BulletBatch*>(this)->lane(l));
}
void BulletBatch::check_body(int64_t b) const {
  if (b < 0 || b >= bodies()) throw std::out_of_range("bullet batch: body " + std::to_string(b) + " out of range");
}
void BulletBatch::check_stopper(int32_t k) const {
  if (k < 0 || k >= stoppers()) throw std::out_of_range("bullet batch: no stopper " + std::to_string(k));
}
void BulletBatch::check_drive(int32_t k) const {
  if (k < 0 || k >= drives()) throw std::out_of_range("bullet batch: no drive " + std::to_string(k));
}

int64_t BulletBatch::lanes() const { return int64_t(lanes_.size()); }
int64_t BulletBatch::bodies() const { return int64_t(shared_->desc.bodies.size()); }
int32_t BulletBatch::stoppers() const { return int32_t(shared_->stopper_boxes.size()); }
int32_t BulletBatch::drives() const { return int32_t(shared_->drive_boxes.size()); }
int64_t BulletBatch::steps_done() const { return steps_; }
double BulletBatch::time() const { return double(steps_) * shared_->desc.dt; }

void BulletBatch::step(int64_t n) {
  if (n <= 0) return;
  const int64_t count = lanes();
  // One lane: no parallel region, whose barrier would cost more than the step.
#pragma omp parallel for schedule(static) if (count > 1)
  for (int64_t l = 0; l < count; ++l)
    for (int64_t s = 0; s < n; ++s) lanes_[size_t(l)]->step(*shared_);
  steps_ += n;
}

void BulletBatch::step_lane(int64_t l, int64_t n) {
  Lane& L = lane(l);
  for (int64_t s = 0; s < n; ++s) L.step(*shared_);
}

int64_t BulletBatch::lane_steps(int64_t l) const { return lane(l).steps; }

Pose BulletBatch::pose(int64_t l, int64_t body) const {
  check_body(body);
  const btTransform& tr = lane(l).bodies[size_t(body)]->getWorldTransform();
  btQuaternion q = tr.getRotation();
  return Pose{from_bt(tr.getOrigin()), {double(q.w()), double(q.x()), double(q.y()), double(q.z())}};
}

BodyVelocity BulletBatch::velocity(int64_t l, int64_t body) const {
  check_body(body);
  const btRigidBody& b = *lane(l).bodies[size_t(body)];
  return BodyVelocity{from_bt(b.getLinearVelocity()), from_bt(b.getAngularVelocity())};
}

bool BulletBatch::lost(int64_t l, int64_t body) const {
  check_body(body);
  return lane(l).lost_body[size_t(body)] != 0;
}
int64_t BulletBatch::lost_count(int64_t l) const { return lane(l).lost; }
int64_t BulletBatch::contact_overflow(int64_t l) const {
  lane(l);
  return 0;
}

bool BulletBatch::active(int64_t l, int64_t body) const {
  check_body(body);
  return lane(l).active[size_t(body)] != 0;
}

void BulletBatch::spawn(int64_t l, int64_t body, const Pose& pose, int32_t kind) {
  check_body(body);
  if (kind < -1 || kind >= int32_t(shared_->kind_shapes.size()))
    throw std::out_of_range("bullet batch: no body kind " + std::to_string(kind));
  Lane& L = lane(l);
  const std::string at = "bullet batch: lane " + std::to_string(l) + " body " + std::to_string(body);
  if (L.active[size_t(body)]) throw std::logic_error(at + " is active: despawn it before spawning");
  if (L.lost_body[size_t(body)]) throw std::logic_error(at + " is lost: despawn it to free the slot");
  const double n = pose.q[0] * pose.q[0] + pose.q[1] * pose.q[1] + pose.q[2] * pose.q[2] + pose.q[3] * pose.q[3];
  bool finite = std::isfinite(pose.p[0]) && std::isfinite(pose.p[1]) && std::isfinite(pose.p[2]);
  if (!finite || !std::isfinite(n) || !(n > 0.5 && n < 2.0))  // check_world's test of a quaternion
    throw std::invalid_argument(at + ": spawn pose must be finite, q a unit quaternion");
  if (kind >= 0) L.take_kind(*shared_, size_t(body), size_t(kind));
  L.spawn(size_t(body), pose);
}

void BulletBatch::despawn(int64_t l, int64_t body) {
  check_body(body);
  Lane& L = lane(l);
  if (!L.active[size_t(body)] && !L.lost_body[size_t(body)])
    throw std::logic_error("bullet batch: lane " + std::to_string(l) + " body " + std::to_string(body) + " is already free");
  L.despawn(size_t(body));
}

void BulletBatch::set_stopper(int64_t l, int32_t k, bool up) {
  check_stopper(k);
  Lane& L = lane(l);
  L.stopper_on[size_t(k)] = up ? 1 : 0;
  // A lowered stopper stays in the world (the lane's object order never changes); its
  // contacts just get no response.
  for (int32_t i : shared_->stopper_boxes[size_t(k)]) {
    btRigidBody& b = *L.statics[size_t(i)];
    int flags = b.getCollisionFlags();
    b.setCollisionFlags(up ? flags & ~btCollisionObject::CF_NO_CONTACT_RESPONSE
                           : flags | btCollisionObject::CF_NO_CONTACT_RESPONSE);
  }
}

bool BulletBatch::stopper(int64_t l, int32_t k) const {
  check_stopper(k);
  return lane(l).stopper_on[size_t(k)] != 0;
}

void BulletBatch::set_drive(int64_t l, int32_t k, bool on) {
  check_drive(k);
  lane(l).set_drive(*shared_, size_t(k), on);
}

bool BulletBatch::drive(int64_t l, int32_t k) const {
  check_drive(k);
  return lane(l).drive_on[size_t(k)] != 0;
}

RunResult run_physics_bullet(const WorldDesc& world, const RunOptions& options) {
  check_world(world);
  if (options.lanes < 1) throw std::invalid_argument("physics world: lanes must be >= 1");
  if (!(options.seconds >= 0) || !std::isfinite(options.seconds))
    throw std::invalid_argument("physics world: run length must be a finite number of seconds >= 0");
  std::vector<int32_t> slot(size_t(options.lanes), -1);  // [lane]: its trajectory, or -1
  for (size_t k = 0; k < options.record_lanes.size(); ++k) {
    const int64_t l = options.record_lanes[k];
    if (l < 0 || l >= options.lanes || slot[size_t(l)] >= 0)
      throw std::invalid_argument("physics world: record lane " + std::to_string(l) +
                                  " is out of [0, lanes) or listed twice");
    slot[size_t(l)] = int32_t(k);
  }
  BulletBatch batch(world, options.lanes);
  RunResult r;
  r.steps = std::llround(options.seconds / world.dt);
  r.lanes = options.lanes;
  r.bodies = batch.bodies();
  r.final_pose.resize(size_t(r.lanes * r.bodies));
  r.lost.assign(size_t(r.lanes), 0);
  r.contact_overflow.assign(size_t(r.lanes), 0);  // Bullet has no fixed contact capacity
  r.trajectories.assign(options.record_lanes.size(), std::vector<Pose>(size_t(r.steps * r.bodies)));
  r.times.resize(size_t(r.steps));
  for (int64_t s = 0; s < r.steps; ++s) r.times[size_t(s)] = double(s + 1) * world.dt;

  // Each lane runs all its steps at once: its world stays in one core's cache.
  const int64_t steps = r.steps, bodies = r.bodies;
#pragma omp parallel for schedule(static)
  for (int64_t l = 0; l < r.lanes; ++l) {
    BulletBatch::Lane& L = *batch.lanes_[size_t(l)];
    std::vector<Pose>* traj = slot[size_t(l)] >= 0 ? &r.trajectories[size_t(slot[size_t(l)])] : nullptr;
    for (int64_t s = 0; s < steps; ++s) {
      L.step(*batch.shared_);
      if (traj)
        for (int64_t b = 0; b < bodies; ++b) (*traj)[size_t(s * bodies + b)] = batch.pose(l, b);
    }
    for (int64_t b = 0; b < bodies; ++b) r.final_pose[size_t(l * bodies + b)] = batch.pose(l, b);
    r.lost[size_t(l)] = L.lost;
  }
  batch.steps_ = steps;
  return r;
}

}  // namespace plantwin::physics
