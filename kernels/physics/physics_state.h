// The rigid-body physics kernel's data: the immutable world every lane shares (PhysicsModel:
// step parameters and the static boxes) and the mutable per-lane state (PhysicsState),
// struct-of-arrays over lanes like kernels/flow/flow_state.h: row r of a field for lane l is
// at field[r * lanes + l]. A body's vector is three rows (3 * body + k), a quaternion four.
// PW_PHYS_FIELDS is the single list of fields; struct, enum and layout come from it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/pack.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

enum : int32_t { kShapeBox = 0, kShapePrism = 1 };

// A static box (belt segment, guide, stopper, kinematic pusher), resolved from
// physics::StaticBoxDesc on the host: the rotation matrix is computed once there.
struct StaticBox {
  Vec3 center;
  Quat q;
  Mat3 R;
  Vec3 half;
  Vec3 extent;  // half widths of its world axis-aligned bounding box
  double friction, restitution;
  Vec3 surface_velocity;  // belts: the velocity of the top face (local +z face)
  int32_t stopper;        // -1 always present; else the lane's stopper flag with this index
  int32_t drive;          // belts: -1 always moving; else moving only while the lane's drive flag
                          // with this index is set (a non-accumulating conveyor stops its belt)
  int32_t kinematic;      // 1: moves with kin_velocity during [kin_start, kin_end)
  Vec3 kin_velocity;
  double kin_start, kin_end;
};

// Solver and world constants. Defaults follow Box2D v3's soft step (damping ratio 10, push-out
// 3 m/s, static contacts twice as stiff, restitution threshold 1 m/s) except the contact
// stiffness: Box2D's 30 Hz suits 60 Hz steps (its cap is a quarter of the substep rate, 60 Hz
// there); at our 500 Hz steps the cap is 500 Hz, and 60 Hz cuts the soft contacts' sag -- a
// stack of five 1 kg boxes, a queue of parts pressed against a stopper -- fourfold, to
// well under a millimetre per contact, with no jitter.
struct PhysicsParams {
  double dt = 0.002;
  int32_t substeps = 4;
  double gravity = 9.81;  // along -z
  int32_t floor = 1;      // the plane z = 0
  double floor_friction = 0.5;
  double lost_below_z = -1.0;
  int32_t bodies = 0, statics = 0, stoppers = 0, drives = 0;
  int32_t capacity = 0;              // contact points per lane
  double contact_hertz = 60.0;       // dynamic-dynamic; static contacts use twice this
  double damping_ratio = 10.0;
  double max_push_velocity = 3.0;    // [m/s] the fastest an overlap is pushed out
  double restitution_threshold = 1.0;// [m/s] slower approaches do not bounce
  double speculative = 0.02;         // [m] contacts are kept from this separation on
};

// What a body slot is made of: shape, size, mass and materials. A spawn may give a slot a new
// kind (a conveyor carries parts of several types through the same slots).
struct BodyKind {
  int32_t shape = kShapeBox;
  Vec3 half;         // box: half extents; prism: radius, radius, half height
  double inv_mass = 1;
  Vec3 inv_inertia;  // body frame, diagonal
  double friction = 0.5, restitution = 0;
};

struct PhysicsModel {
  PhysicsParams p;
  const StaticBox* statics = nullptr;  // [p.statics]
};

// Sizes of a lane's rows: bodies, contact capacity, stoppers, belt drives, and the width W of
// the contact solver's groups (the view's kSolverWidth: 4 for lane blocks, 1 interleaved).
struct PhysDims {
  int64_t B = 0, C = 0, K = 0, D = 0, W = 1;
};

// X(name, type, rows): every per-lane field, in layout order.
#define PW_PHYS_FIELDS(X)                                                                       \
  /* [body]: the body state */                                                                  \
  X(pos, double, 3 * d.B)          /* centre of mass, world */                                  \
  X(rot, double, 4 * d.B)          /* orientation quaternion w, x, y, z (body -> world) */       \
  X(vel, double, 3 * d.B)          /* linear velocity, world */                                 \
  X(angvel, double, 3 * d.B)       /* angular velocity, world */                                \
  X(inv_mass, double, d.B)                                                                      \
  X(inv_inertia, double, 3 * d.B)  /* body-frame inverse inertia diagonal */                    \
  X(half, double, 3 * d.B)         /* box: half extents; prism: radius, radius, half height */  \
  X(friction, double, d.B)                                                                      \
  X(restitution, double, d.B)                                                                   \
  X(shape, int32_t, d.B)           /* kShapeBox or kShapePrism */                               \
  X(active, int32_t, d.B)          /* simulated (0: dormant or lost) */                         \
  X(lost, int32_t, d.B)            /* fell below lost_below_z (counted once) */                 \
  /* [body]: per-step scratch and the broad phase */                                            \
  X(inv_inertia_w, double, 6 * d.B)/* world inverse inertia at the step's start (Sym3) */       \
  X(rmat, double, 9 * d.B)         /* rotation(rot), kept with rot during the step */          \
  X(aabb, double, 6 * d.B)         /* min x, y, z, max x, y, z (with the speculative margin) */ \
  X(order, int32_t, d.B)           /* bodies sorted by aabb min x (kept between steps) */        \
  /* [contact point]: this step's contacts */                                                   \
  X(ct_a, int32_t, d.C)            /* body A */                                                 \
  X(ct_b, int32_t, d.C)            /* body B >= 0, or kFloor, or static_code(k) */              \
  X(ct_n, double, 3 * d.C)         /* normal, from A to B */                                    \
  X(ct_t1, double, 3 * d.C)        /* first friction direction (the second is n x t1) */        \
  X(ct_ra, double, 3 * d.C)        /* anchor from A's centre (world, step start) */             \
  X(ct_rb, double, 3 * d.C)        /* anchor from B's centre (dynamic B) */                     \
  X(ct_la, double, 3 * d.C)        /* anchor in A's body frame */                               \
  X(ct_lb, double, 3 * d.C)        /* anchor in B's body frame; static B: the world point */    \
  X(ct_vb, double, 3 * d.C)        /* static B: its velocity (kinematic) */                     \
  X(ct_vs, double, 3 * d.C)        /* static B: the velocity friction aims for (+ belt) */      \
  X(ct_sep, double, d.C)           /* separation at the step's start (< 0: overlap) */          \
  X(ct_mn, double, d.C)            /* normal mass */                                            \
  X(ct_jn, double, d.C)            /* accumulated impulses (per substep), after the substeps */ \
  X(ct_jt1, double, d.C)                                                                        \
  X(ct_jt2, double, d.C)                                                                        \
  X(ct_jmax, double, d.C)          /* largest normal impulse this step (restitution gate) */     \
  X(ct_vrel, double, d.C)          /* relative normal velocity at the step's start */           \
  X(ct_mu, double, d.C)                                                                         \
  X(ct_e, double, d.C)                                                                          \
  /* The solver's groups (contact_solver.h): up to W manifolds solved side by side, their  */  \
  /* values packed by element m of the group. [group] */                                       \
  X(sg_first, int32_t, d.C)        /* first contact of the group */                             \
  X(sg_nm, int32_t, d.C)           /* manifolds */                                              \
  X(sg_npmax, int32_t, d.C)        /* most points of one of its manifolds */                    \
  X(sg_slot, int32_t, d.C)         /* its first point slot in the sp_ fields */                 \
  X(sg_dyn, int32_t, d.C)          /* B is a dynamic body (else static) in all its manifolds */ \
  /* [group][m] */                                                                             \
  X(sm_a, int32_t, d.W * d.C)                                                                   \
  X(sm_b, int32_t, d.W * d.C)                                                                   \
  X(sm_np, double, d.W * d.C)      /* points (0: an idle element) */                            \
  X(sm_ma, double, d.W * d.C)      /* inverse masses (static B: 0) */                           \
  X(sm_mb, double, d.W * d.C)                                                                   \
  X(sm_n, double, 3 * d.W * d.C)   /* normal and friction directions t1, t2 = n x t1 */          \
  X(sm_t1, double, 3 * d.W * d.C)                                                               \
  X(sm_t2, double, 3 * d.W * d.C)                                                               \
  X(sm_vb, double, 3 * d.W * d.C)  /* static B: its velocity, and the one friction aims for */ \
  X(sm_vs, double, 3 * d.W * d.C)                                                               \
  /* [point slot][m]: a group's point k of manifold m is slot sg_slot + k, element m */         \
  X(sp_can, double, 3 * d.W * d.C) /* ra x n, I_a^-1 (ra x n), rb x n, I_b^-1 (rb x n) */        \
  X(sp_ian, double, 3 * d.W * d.C)                                                              \
  X(sp_cbn, double, 3 * d.W * d.C)                                                              \
  X(sp_ibn, double, 3 * d.W * d.C)                                                              \
  X(sp_rat, double, 6 * d.W * d.C) /* ra x t1, ra x t2; I_a^-1 of them; the same for B */        \
  X(sp_iat, double, 6 * d.W * d.C)                                                              \
  X(sp_rbt, double, 6 * d.W * d.C)                                                              \
  X(sp_ibt, double, 6 * d.W * d.C)                                                              \
  X(sp_ra, double, 3 * d.W * d.C)  /* anchors as ct_ra, ct_rb, ct_la, ct_lb */                  \
  X(sp_rb, double, 3 * d.W * d.C)                                                               \
  X(sp_la, double, 3 * d.W * d.C)                                                               \
  X(sp_lb, double, 3 * d.W * d.C)                                                               \
  X(sp_sep, double, d.W * d.C)                                                                  \
  X(sp_mn, double, d.W * d.C)      /* normal and friction masses */                             \
  X(sp_mt1, double, d.W * d.C)                                                                  \
  X(sp_mt2, double, d.W * d.C)                                                                  \
  X(sp_mu, double, d.W * d.C)                                                                   \
  X(sp_jn, double, d.W * d.C)      /* accumulated impulses during the substeps */               \
  X(sp_jmax, double, d.W * d.C)                                                                 \
  X(sp_jt1, double, d.W * d.C)                                                                  \
  X(sp_jt2, double, d.W * d.C)                                                                  \
  /* [contact point]: last step's, for warm starting */                                         \
  X(pv_a, int32_t, d.C)                                                                         \
  X(pv_b, int32_t, d.C)                                                                         \
  X(pv_la, double, 3 * d.C)                                                                     \
  X(pv_jn, double, d.C)                                                                         \
  X(pv_jt, double, 3 * d.C)        /* friction impulse as a world vector */                     \
  /* [stopper] */                                                                               \
  X(stopper_up, int32_t, d.K)      /* stopper k present in this lane (default 1) */             \
  /* [drive] */                                                                                 \
  X(drive_on, int32_t, d.D)        /* belts with drive k move in this lane (default 1) */       \
  /* [1] per lane */                                                                            \
  X(ct_count, int32_t, 1)                                                                       \
  X(sg_count, int32_t, 1)          /* solver groups this step */                                \
  X(pv_count, int32_t, 1)                                                                       \
  X(lost_count, int64_t, 1)        /* bodies lost so far */                                     \
  X(overflow_count, int64_t, 1)    /* steps in which contact points were dropped */

struct PhysicsState {
  int64_t lanes = 0;  // row stride
#define PW_DECLARE_FIELD(name, type, rows) type* name = nullptr;
  PW_PHYS_FIELDS(PW_DECLARE_FIELD)
#undef PW_DECLARE_FIELD
};

enum PhysField : int {
#define PW_ENUM_FIELD(name, type, rows) kP_##name,
  PW_PHYS_FIELDS(PW_ENUM_FIELD)
#undef PW_ENUM_FIELD
  kPhysFieldCount
};

// Byte offsets of every field inside one allocation; the same on host and device.
struct PhysicsStateLayout {
  int64_t lanes = 0;
  size_t bytes = 0;
  size_t off[kPhysFieldCount + 1] = {};

  PW_HD static size_t align(size_t x) { return (x + 63) & ~size_t(63); }

  PW_HD void build(int64_t lanes_, const PhysDims& d) {
    lanes = lanes_;
    bytes = 0;
    int f = 0;
#define PW_LAYOUT_FIELD(name, type, rows) \
  off[f++] = bytes;                       \
  bytes = align(bytes + static_cast<size_t>(sizeof(type) * (rows) * lanes));
    PW_PHYS_FIELDS(PW_LAYOUT_FIELD)
#undef PW_LAYOUT_FIELD
    off[kPhysFieldCount] = bytes;
  }

  PW_HD PhysicsState bind(unsigned char* base) const {
    PhysicsState s;
    s.lanes = lanes;
#define PW_BIND_FIELD(name, type, rows) s.name = reinterpret_cast<type*>(base + off[kP_##name]);
    PW_PHYS_FIELDS(PW_BIND_FIELD)
#undef PW_BIND_FIELD
    return s;
  }
};

// Contact partner codes for non-dynamic B.
constexpr int32_t kFloor = -1;
PW_HD PW_FORCEINLINE int32_t static_code(int32_t k) { return -2 - k; }
PW_HD PW_FORCEINLINE int32_t static_index(int32_t code) { return -2 - code; }

// One lane's view of the state: the lane index and the stride, with typed row accessors.
// kStride 0: the stride L and lane l are read at run time (interleaved lanes, the cuda
// backend); kStride 1: a lane's own block (the cpu backend), stride 1 and lane 0 known at
// compile time, so every row address is a constant offset. Kernels are templates over the
// view (class V): the same source for both layouts.
template <int kStride>
struct LaneViewT {
  PhysicsState s;
  int64_t L, l;  // stride, lane (kStride 1: 1 and 0)

  // Manifolds the contact solver works on side by side (contact_solver.h): on the cpu this
  // overlaps their serial chains; a GPU thread has thousands of lanes beside it instead.
  static constexpr int kSolverWidth = kStride == 1 ? 4 : 1;
  using Pk = Pack<kSolverWidth>;
  using Pk3 = Pack3<kSolverWidth>;

  PW_HD PW_FORCEINLINE int64_t at(int64_t row) const {
    if constexpr (kStride == 1) {
      return row;
    } else {
      return row * L + l;
    }
  }
  // Index of the lane's per-lane ([1]) fields.
  PW_HD PW_FORCEINLINE int64_t lane() const { return at(0); }
  PW_HD PW_FORCEINLINE Vec3 get3(const double* f, int64_t i) const {
    return Vec3{f[at(3 * i)], f[at(3 * i + 1)], f[at(3 * i + 2)]};
  }
  PW_HD PW_FORCEINLINE void set3(double* f, int64_t i, Vec3 v) const {
    f[at(3 * i)] = v.x;
    f[at(3 * i + 1)] = v.y;
    f[at(3 * i + 2)] = v.z;
  }
  PW_HD PW_FORCEINLINE Quat getq(int64_t b) const {
    return Quat{s.rot[at(4 * b)], s.rot[at(4 * b + 1)], s.rot[at(4 * b + 2)], s.rot[at(4 * b + 3)]};
  }
  PW_HD PW_FORCEINLINE void setq(int64_t b, Quat q) const {
    s.rot[at(4 * b)] = q.w;
    s.rot[at(4 * b + 1)] = q.x;
    s.rot[at(4 * b + 2)] = q.y;
    s.rot[at(4 * b + 3)] = q.z;
  }
  // The packed fields ([.][m], physics_state's sg_/sm_/sp_ rows): element m of pack `slot`,
  // the first K elements of a pack (K <= kSolverWidth: a group of one or two manifolds on a
  // lane block takes fewer; interleaved lanes have width 1), and 3-vector packs (slots
  // 3 slot3 + coordinate).
  PW_HD PW_FORCEINLINE int64_t el(int64_t slot, int m) const { return at(slot * kSolverWidth + m); }
  template <int K = kSolverWidth>
  PW_HD PW_FORCEINLINE Pack<K> pload(const double* f, int64_t slot) const {
    return Pack<K>::load(f + at(slot * kSolverWidth));
  }
  template <int K = kSolverWidth>
  PW_HD PW_FORCEINLINE void pstore(double* f, int64_t slot, const Pack<K>& v) const {
    v.store(f + at(slot * kSolverWidth));
  }
  template <int K = kSolverWidth>
  PW_HD PW_FORCEINLINE Pack3<K> pload3(const double* f, int64_t slot3) const {
    return Pack3<K>{pload<K>(f, 3 * slot3), pload<K>(f, 3 * slot3 + 1), pload<K>(f, 3 * slot3 + 2)};
  }
  template <int K = kSolverWidth>
  PW_HD PW_FORCEINLINE void pstore3(double* f, int64_t slot3, const Pack3<K>& v) const {
    pstore<K>(f, 3 * slot3, v.x);
    pstore<K>(f, 3 * slot3 + 1, v.y);
    pstore<K>(f, 3 * slot3 + 2, v.z);
  }
  PW_HD PW_FORCEINLINE Vec3 el3(const double* f, int64_t slot3, int m) const {
    return Vec3{f[el(3 * slot3, m)], f[el(3 * slot3 + 1, m)], f[el(3 * slot3 + 2, m)]};
  }
  // Body b's rotation matrix, as rotation(getq(b)) when it was last set (physics_step keeps
  // it with the orientation during a step; between steps only the orientation is current).
  PW_HD PW_FORCEINLINE Mat3 getR(int64_t b) const {
    const double* f = s.rmat;
    return Mat3{Vec3{f[at(9 * b)], f[at(9 * b + 1)], f[at(9 * b + 2)]},
                Vec3{f[at(9 * b + 3)], f[at(9 * b + 4)], f[at(9 * b + 5)]},
                Vec3{f[at(9 * b + 6)], f[at(9 * b + 7)], f[at(9 * b + 8)]}};
  }
  PW_HD PW_FORCEINLINE void setR(int64_t b, const Mat3& R) const {
    set3(s.rmat, 3 * b, R.r0);
    set3(s.rmat, 3 * b + 1, R.r1);
    set3(s.rmat, 3 * b + 2, R.r2);
  }
  PW_HD PW_FORCEINLINE Sym3 inv_inertia_w(int64_t b) const {
    const double* f = s.inv_inertia_w;
    return Sym3{f[at(6 * b)], f[at(6 * b + 1)], f[at(6 * b + 2)], f[at(6 * b + 3)], f[at(6 * b + 4)], f[at(6 * b + 5)]};
  }
  PW_HD PW_FORCEINLINE void set_inv_inertia_w(int64_t b, const Sym3& m) const {
    double* f = s.inv_inertia_w;
    f[at(6 * b)] = m.xx;
    f[at(6 * b + 1)] = m.yy;
    f[at(6 * b + 2)] = m.zz;
    f[at(6 * b + 3)] = m.xy;
    f[at(6 * b + 4)] = m.xz;
    f[at(6 * b + 5)] = m.yz;
  }
};

using LaneView = LaneViewT<0>;   // any stride: interleaved lanes
using LaneBlock = LaneViewT<1>;  // one lane's block

}  // namespace plantwin::phys
