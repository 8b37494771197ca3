// One physics step of one lane, and the kernel that runs steps over lanes.
//
// The step is a short pipeline of named stages (the contact stages are in contact_solver.h):
//   1. begin:   world inverse inertias for the step; static boxes placed at the step's time
//   2. collide: broad phase, narrow phase, warm-start matching -> this step's contact points
//   3. prepare: effective masses, relative normal velocities
//   4. substeps: integrate velocities (gravity), warm start, solve (soft bias), integrate
//      positions, relax (no bias)
//   5. restitution, store impulses, lost bodies
// Bodies: semi-implicit Euler; the angular velocity is in the world frame, with the world
// inverse inertia R I^-1 R^T of the step's start (no gyroscopic term); the orientation
// integrates as q += h/2 (0, w) q, renormalised.
// Each lane touches only its own column of the state, in a fixed order, with no atomics: a
// lane's result does not depend on the thread count or on the backend.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/broad_phase.h"
#include "kernels/physics/collide.h"
#include "kernels/physics/contact_solver.h"
#include "kernels/physics/hull.h"
#include "kernels/physics/physics_state.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

// A kinematic box moves with its velocity during [kin_start, kin_end) and then stays.
PW_HD inline Vec3 static_center(const StaticBox& sb, double t) {
  if (!sb.kinematic || !(sb.kin_end > sb.kin_start)) return sb.center;
  double tau = dmin(dmax(t - sb.kin_start, 0.0), sb.kin_end - sb.kin_start);
  return sb.center + tau * sb.kin_velocity;
}
PW_HD inline Vec3 static_velocity(const StaticBox& sb, double t) {
  bool moving = sb.kinematic && t >= sb.kin_start && t < sb.kin_end;
  return moving ? sb.kin_velocity : Vec3{0, 0, 0};
}

// Whether a contact of normal n (from the body to the box) lies on the box's top face, the
// face whose surface moves on a belt: within 45 degrees of its local +z axis.
PW_HD PW_FORCEINLINE bool on_top_face(const StaticBox& sb, Vec3 n) { return -dot(n, col(sb.R, 2)) > 0.70710678118654752; }

template <class V>
struct LaneStep {
  const PhysicsModel& M;
  const V& L;
  double t0;
  int32_t cursor = 0;
  int32_t dropped = 0;
  Hull ha, hb;

  PW_HD LaneStep(const PhysicsModel& m, const V& l, double t) : M(m), L(l), t0(t) {}

  PW_HD void make_body_hull(Hull& H, int32_t b) const {
    make_hull(H, L.s.shape[L.at(b)], L.get3(L.s.pos, b), L.getR(b), L.get3(L.s.half, b));
  }

  // Body-body pairs from the sweep.
  PW_HD void operator()(int32_t a, int32_t b) {
    make_body_hull(ha, a);
    make_body_hull(hb, b);
    Manifold m;
    if (!collide_hulls(ha, hb, M.p.speculative, m)) return;
    ContactPartner p;
    p.code = b;
    p.c = hb.c;
    p.R = hb.R;
    p.vb = p.vs = Vec3{0, 0, 0};
    p.friction = L.s.friction[L.at(b)];
    p.restitution = L.s.restitution[L.at(b)];
    add_manifold(M, L, a, p, m, cursor, dropped);
  }

  PW_HD void collide() {
    const PhysicsState& s = L.s;
    s.ct_count[L.lane()] = 0;
    update_aabbs(M, L);
    // Static geometry first, body by body: the floor, then the boxes in index order.
    for (int32_t a = 0; a < M.p.bodies; ++a) {
      if (!s.active[L.at(a)]) continue;
      make_body_hull(ha, a);
      Manifold m;
      if (M.p.floor && s.aabb[L.at(6 * a + 2)] <= 0.0 && collide_floor(ha, M.p.speculative, m)) {
        ContactPartner p;
        p.code = kFloor;
        p.vb = p.vs = Vec3{0, 0, 0};
        p.friction = M.p.floor_friction;
        p.restitution = 0;
        add_manifold(M, L, a, p, m, cursor, dropped);
      }
      const Aabb box = body_aabb(L, a);
      for (int32_t k = 0; k < M.p.statics; ++k) {
        const StaticBox& sb = M.statics[k];
        if (sb.stopper >= 0 && !s.stopper_up[L.at(sb.stopper)]) continue;
        Vec3 c = static_center(sb, t0);
        if (!aabb_overlap_static(box, c, sb.extent)) continue;
        make_hull(hb, kShapeBox, c, sb.R, sb.half);
        if (!collide_hulls(ha, hb, M.p.speculative, m)) continue;
        ContactPartner p;
        p.code = static_code(k);
        p.vb = static_velocity(sb, t0);
        const bool driven = sb.drive < 0 || s.drive_on[L.at(sb.drive)];
        p.vs = driven && on_top_face(sb, m.n) ? p.vb + sb.surface_velocity : p.vb;
        p.friction = sb.friction;
        p.restitution = sb.restitution;
        add_manifold(M, L, a, p, m, cursor, dropped);
      }
    }
    sort_bodies(M, L);
    sweep_pairs(M, L, *this);
  }
};

template <class V>
PW_HD inline void integrate_velocities(const PhysicsModel& M, const V& L, double h) {
  const double dvz = h * M.p.gravity;
  for (int32_t b = 0; b < M.p.bodies; ++b) {
    if (!L.s.active[L.at(b)]) continue;
    double& vz = L.s.vel[L.at(3 * b + 2)];
    vz = vz - dvz;
  }
}

template <class V>
PW_HD inline void integrate_positions(const PhysicsModel& M, const V& L, double h) {
  for (int32_t b = 0; b < M.p.bodies; ++b) {
    if (!L.s.active[L.at(b)]) continue;
    L.set3(L.s.pos, b, L.get3(L.s.pos, b) + h * L.get3(L.s.vel, b));
    const Quat q = qintegrate(L.getq(b), L.get3(L.s.angvel, b), h);
    L.setq(b, q);
    L.setR(b, rotation(q));
  }
}

// Advances lane L by one step, from time step_index * dt.
template <class V>
PW_HD inline void physics_step(const PhysicsModel& M, const V& L, int64_t step_index) {
  const PhysicsParams& P = M.p;
  const PhysicsState& s = L.s;
  const double t0 = static_cast<double>(step_index) * P.dt;
  const double h = P.dt / P.substeps, inv_h = 1.0 / h;

  for (int32_t b = 0; b < P.bodies; ++b) {
    if (!s.active[L.at(b)]) continue;
    const Mat3 R = rotation(L.getq(b));
    L.setR(b, R);
    L.set_inv_inertia_w(b, rotate_diag(R, L.get3(s.inv_inertia, b)));
  }

  LaneStep<V> step(M, L, t0);
  step.collide();
  if (step.dropped) s.overflow_count[L.lane()] += 1;
  prepare_contacts(L);

  // Box2D caps the contact stiffness at a quarter of the substep rate.
  double hertz = dmin(P.contact_hertz, 0.25 * inv_h);
  Softness soft = make_soft(hertz, P.damping_ratio, h);
  Softness soft_static = make_soft(2.0 * hertz, P.damping_ratio, h);
  for (int32_t i = 0; i < P.substeps; ++i) {
    integrate_velocities(M, L, h);
    warm_start(L);
    solve_contacts(M, L, inv_h, i * h, true, soft, soft_static);
    integrate_positions(M, L, h);
    solve_contacts(M, L, inv_h, (i + 1) * h, false, soft, soft_static);
  }
  unpack_impulses(L);
  apply_restitution(M, L);
  store_impulses(L);

  for (int32_t b = 0; b < P.bodies; ++b) {
    if (s.active[L.at(b)] && s.pos[L.at(3 * b + 2)] < P.lost_below_z) {
      s.active[L.at(b)] = 0;
      s.lost[L.at(b)] = 1;
      s.lost_count[L.lane()] += 1;
    }
  }
}

// Drops body b's points from last step's contacts (as A or as dynamic B), keeping the others
// in order: a body spawned into a freed slot must not be warm started with the impulses of
// the body that held it before. Moves every pv_ field of physics_state.h.
template <class V>
PW_HD inline void forget_contacts(const V& L, int32_t b) {
  const PhysicsState& s = L.s;
  const int32_t pc = s.pv_count[L.lane()];
  int32_t kept = 0;
  for (int32_t j = 0; j < pc; ++j) {
    if (s.pv_a[L.at(j)] == b || s.pv_b[L.at(j)] == b) continue;
    if (kept != j) {
      s.pv_a[L.at(kept)] = s.pv_a[L.at(j)];
      s.pv_b[L.at(kept)] = s.pv_b[L.at(j)];
      L.set3(s.pv_la, kept, L.get3(s.pv_la, j));
      s.pv_jn[L.at(kept)] = s.pv_jn[L.at(j)];
      L.set3(s.pv_jt, kept, L.get3(s.pv_jt, j));
    }
    ++kept;
  }
  s.pv_count[L.lane()] = kept;
}

// Activates the free slot b at pose (p, q), q a unit quaternion, at rest. Its shape, mass and
// materials are the slot's. Between steps only; the caller checks that the slot is free.
template <class V>
PW_HD inline void spawn_body(const V& L, int32_t b, Vec3 p, Quat q) {
  const PhysicsState& s = L.s;
  forget_contacts(L, b);
  L.set3(s.pos, b, p);
  L.setq(b, q);
  L.set3(s.vel, b, Vec3{0, 0, 0});
  L.set3(s.angvel, b, Vec3{0, 0, 0});
  s.lost[L.at(b)] = 0;
  s.active[L.at(b)] = 1;
}

// The same, after making slot b a body of kind k (shape, size, mass, materials).
template <class V>
PW_HD inline void spawn_body_as(const V& L, int32_t b, const BodyKind& k, Vec3 p, Quat q) {
  const PhysicsState& s = L.s;
  s.shape[L.at(b)] = k.shape;
  L.set3(s.half, b, k.half);
  s.inv_mass[L.at(b)] = k.inv_mass;
  L.set3(s.inv_inertia, b, k.inv_inertia);
  s.friction[L.at(b)] = k.friction;
  s.restitution[L.at(b)] = k.restitution;
  spawn_body(L, b, p, q);
}

// Frees slot b (active or lost): it is no longer simulated, and a lost mark is cleared (the
// lane's lost_count keeps it). Between steps only.
template <class V>
PW_HD inline void despawn_body(const V& L, int32_t b) {
  const PhysicsState& s = L.s;
  forget_contacts(L, b);
  L.set3(s.vel, b, Vec3{0, 0, 0});
  L.set3(s.angvel, b, Vec3{0, 0, 0});
  s.lost[L.at(b)] = 0;
  s.active[L.at(b)] = 0;
}

// Runs steps [step0, step0 + steps) of every lane it is called for. Two layouts, as in the
// flow kernel: block_bytes > 0 gives each lane its own block (layout built for one lane; the
// cpu backend, so threads never share cache lines), 0 interleaves lanes (the cuda backend).
// When traj is set, lanes with rec_slot[lane] >= 0 write their poses after every step to
// traj[((slot * traj_steps + step - traj_step0) * bodies + body) * 7 + (px, py, pz, qw, qx, qy, qz)].
struct PhysicsLaneKernel {
  PhysicsModel model;
  PhysicsStateLayout layout;
  unsigned char* base = nullptr;
  int64_t block_bytes = 0;
  int64_t step0 = 0, steps = 1;
  double* traj = nullptr;
  const int32_t* rec_slot = nullptr;
  int64_t traj_steps = 0, traj_step0 = 0;

  PW_HD void operator()(int64_t lane) const {
    if (block_bytes > 0) {
      run(LaneBlock{layout.bind(base + lane * block_bytes), 1, 0}, lane);
    } else {
      run(LaneView{layout.bind(base), layout.lanes, lane}, lane);
    }
  }

  template <class V>
  PW_HD void run(const V& L, int64_t lane) const {
    const int32_t slot = traj && rec_slot ? rec_slot[lane] : -1;
    const int32_t nb = model.p.bodies;
    for (int64_t k = step0; k < step0 + steps; ++k) {
      physics_step(model, L, k);
      if (slot < 0) continue;
      double* out = traj + ((slot * traj_steps + (k - traj_step0)) * nb) * 7;
      for (int32_t b = 0; b < nb; ++b) {
        Vec3 p = L.get3(L.s.pos, b);
        Quat q = L.getq(b);
        double* o = out + 7 * b;
        o[0] = p.x; o[1] = p.y; o[2] = p.z;
        o[3] = q.w; o[4] = q.x; o[5] = q.y; o[6] = q.z;
      }
    }
  }
};

}  // namespace plantwin::phys
