// The contact solver: Box2D v3's soft step carried to 3-D. Contacts are found once per step;
// each substep integrates velocities, re-applies the accumulated impulses (warm start), solves
// with a soft position bias, integrates positions and relaxes without bias; restitution
// follows the substeps, and the impulses are kept to warm-start the next step.
//
// Soft contact (Catto, "Solver2D" / Box2D v3): the contact is a spring-damper of `hertz` and
// damping ratio `zeta` integrated implicitly over the substep h, which gives three constants:
// bias rate, mass scale and impulse scale. Overlap is pushed out no faster than
// max_push_velocity; a speculative contact (separation s > 0) only forbids closing faster than
// s / h. Contacts with static geometry are twice as stiff.
//
// Each contact point has a normal row and two friction rows; the friction impulse is clamped
// to a disc of radius mu * (normal impulse). Belts: the static box's surface velocity is the
// relative tangential velocity friction aims for (Box2D's tangentSpeed) -- the box never
// moves. Kinematic boxes: their velocity enters every row.
//
// The separation during substeps follows the bodies without new collision detection: the
// anchors are fixed in each body's frame, s(t) = s0 + n . (x_B(t) - x_A(t)) with x the anchor's
// current world position (Box2D's anchor approach; the normal is held fixed for the step).
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/collide.h"
#include "kernels/physics/physics_state.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

struct Softness {
  double bias_rate, mass_scale, impulse_scale;
};

PW_HD inline Softness make_soft(double hertz, double zeta, double h) {
  if (hertz == 0.0) return Softness{0.0, 1.0, 0.0};
  double omega = 2.0 * kPi * hertz;
  double a1 = 2.0 * zeta + h * omega;
  double a2 = h * omega * a1;
  double a3 = 1.0 / (1.0 + a2);
  return Softness{omega / a1, a2 * a3, a3};
}

// A new contact's anchor matches last step's point of the same pair when their anchors in
// A's body frame are closer than this.
constexpr double kWarmStartMatch = 0.005;  // [m]

// The other side of a contact: a dynamic body, the floor or a static box.
struct ContactPartner {
  int32_t code;           // body index >= 0, kFloor or static_code(k)
  Vec3 c;                 // dynamic: centre of mass
  Mat3 R;                 // dynamic: orientation
  Vec3 vb, vs;            // static: velocity, and velocity friction aims for
  double friction, restitution;
};

// Appends manifold m between body a and partner `b` to the lane's contacts, each point warm
// started from last step's nearest point of the same pair. Points beyond the capacity are
// dropped and `dropped` is set. `cursor` speeds up the search for the pair in last step's
// list (pairs come in much the same order every step).
PW_HD inline void add_manifold(const PhysicsModel& M, const LaneView& L, int32_t a, const ContactPartner& b,
                               const Manifold& m, int32_t& cursor, int32_t& dropped) {
  const PhysicsState& s = L.s;
  int32_t count = s.ct_count[L.l];
  const int32_t pc = s.pv_count[L.l];
  // Last step's points of this pair: a contiguous block.
  int32_t first = -1, last = -1;
  for (int32_t k = 0; k < pc; ++k) {
    int32_t j = cursor + k < pc ? cursor + k : cursor + k - pc;
    if (s.pv_a[L.at(j)] == a && s.pv_b[L.at(j)] == b.code) {
      first = j;
      break;
    }
  }
  if (first >= 0) {
    while (first > 0 && s.pv_a[L.at(first - 1)] == a && s.pv_b[L.at(first - 1)] == b.code) --first;
    last = first;
    while (last + 1 < pc && s.pv_a[L.at(last + 1)] == a && s.pv_b[L.at(last + 1)] == b.code) ++last;
    cursor = last + 1 < pc ? last + 1 : 0;
  }

  Vec3 ca = L.get3(s.pos, a);
  Mat3 Ra = rotation(L.getq(a));
  double mu_a = s.friction[L.at(a)], e_a = s.restitution[L.at(a)];
  Vec3 t1, t2;
  tangent_basis(m.n, t1, t2);
  for (int i = 0; i < m.count; ++i) {
    if (count >= M.p.capacity) {
      dropped = 1;
      break;
    }
    Vec3 p = m.p[i];
    Vec3 ra = p - ca;
    Vec3 la = mul_t(Ra, ra);
    double jn = 0;
    Vec3 jt{0, 0, 0};
    double best = kWarmStartMatch * kWarmStartMatch;
    for (int32_t j = first; first >= 0 && j <= last; ++j) {
      double d2 = length_sq(L.get3(s.pv_la, j) - la);
      if (d2 < best) {
        best = d2;
        jn = s.pv_jn[L.at(j)];
        jt = L.get3(s.pv_jt, j);
      }
    }
    const int64_t c = count;
    s.ct_a[L.at(c)] = a;
    s.ct_b[L.at(c)] = b.code;
    L.set3(s.ct_n, c, m.n);
    L.set3(s.ct_t1, c, t1);
    L.set3(s.ct_ra, c, ra);
    L.set3(s.ct_la, c, la);
    if (b.code >= 0) {
      Vec3 rb = p - b.c;
      L.set3(s.ct_rb, c, rb);
      L.set3(s.ct_lb, c, mul_t(b.R, rb));
      L.set3(s.ct_vb, c, Vec3{0, 0, 0});
      L.set3(s.ct_vs, c, Vec3{0, 0, 0});
    } else {
      L.set3(s.ct_rb, c, Vec3{0, 0, 0});
      L.set3(s.ct_lb, c, p);
      L.set3(s.ct_vb, c, b.vb);
      L.set3(s.ct_vs, c, b.vs);
    }
    s.ct_sep[L.at(c)] = m.sep[i];
    s.ct_jn[L.at(c)] = jn;
    s.ct_jt1[L.at(c)] = dot(jt, t1);
    s.ct_jt2[L.at(c)] = dot(jt, t2);
    s.ct_mu[L.at(c)] = ::sqrt(mu_a * b.friction);
    s.ct_e[L.at(c)] = e_a > b.restitution ? e_a : b.restitution;
    ++count;
  }
  s.ct_count[L.at(0)] = count;
}

// Velocity state of a contact's two sides, loaded once per manifold and written back after.
struct PairVel {
  Vec3 va, wa, vb, wb;
  double ma, mb;
  Sym3 ia, ib;
};

PW_HD inline void load_pair(const LaneView& L, int32_t a, int32_t b, PairVel& pv) {
  const PhysicsState& s = L.s;
  pv.va = L.get3(s.vel, a);
  pv.wa = L.get3(s.angvel, a);
  pv.ma = s.inv_mass[L.at(a)];
  pv.ia = L.inv_inertia_w(a);
  if (b >= 0) {
    pv.vb = L.get3(s.vel, b);
    pv.wb = L.get3(s.angvel, b);
    pv.mb = s.inv_mass[L.at(b)];
    pv.ib = L.inv_inertia_w(b);
  } else {
    pv.vb = pv.wb = Vec3{0, 0, 0};
    pv.mb = 0;
    pv.ib = Sym3{0, 0, 0, 0, 0, 0};
  }
}

PW_HD inline void store_pair(const LaneView& L, int32_t a, int32_t b, const PairVel& pv) {
  L.set3(L.s.vel, a, pv.va);
  L.set3(L.s.angvel, a, pv.wa);
  if (b >= 0) {
    L.set3(L.s.vel, b, pv.vb);
    L.set3(L.s.angvel, b, pv.wb);
  }
}

// Impulse P on B at rb, -P on A at ra.
PW_HD PW_FORCEINLINE void apply_impulse(PairVel& pv, Vec3 ra, Vec3 rb, Vec3 P) {
  pv.va -= pv.ma * P;
  pv.wa -= mul(pv.ia, cross(ra, P));
  pv.vb += pv.mb * P;
  pv.wb += mul(pv.ib, cross(rb, P));
}

// 1 / (the effective mass of direction d at the anchors).
PW_HD inline double effective_mass(const PairVel& pv, Vec3 ra, Vec3 rb, Vec3 d) {
  Vec3 ca = cross(ra, d), cb = cross(rb, d);
  double k = pv.ma + pv.mb + dot(ca, mul(pv.ia, ca)) + dot(cb, mul(pv.ib, cb));
  return k > 0 ? 1.0 / k : 0.0;
}

// effective_mass with a static B (no mass, no inertia): the same value, B's zero terms left out.
PW_HD inline double effective_mass_a(const PairVel& pv, Vec3 ra, Vec3 d) {
  Vec3 ca = cross(ra, d);
  double k = pv.ma + dot(ca, mul(pv.ia, ca));
  return k > 0 ? 1.0 / k : 0.0;
}

// Velocity of B's anchor relative to A's, for the normal row (static B: its own velocity).
PW_HD PW_FORCEINLINE Vec3 relative_velocity(const PairVel& pv, Vec3 ra, Vec3 rb, Vec3 static_v, bool dynamic_b) {
  Vec3 vb = dynamic_b ? pv.vb + cross(pv.wb, rb) : static_v;
  return vb - (pv.va + cross(pv.wa, ra));
}

// The end of the run of contacts [i, end) that share i's pair: a manifold (a pair has one
// per step, so at most kManifoldPoints points; the cap only guards the solver's arrays).
PW_HD PW_FORCEINLINE int32_t manifold_end(const LaneView& L, int32_t i, int32_t count) {
  int32_t a = L.s.ct_a[L.at(i)], b = L.s.ct_b[L.at(i)];
  int32_t j = i + 1;
  while (j < count && j < i + kManifoldPoints && L.s.ct_a[L.at(j)] == a && L.s.ct_b[L.at(j)] == b) ++j;
  return j;
}

// Prepare: effective masses and the relative normal velocity restitution will need. Runs
// after the world inverse inertias of the step are set.
PW_HD inline void prepare_contacts(const LaneView& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.l];
  for (int32_t i = 0; i < count;) {
    int32_t end = manifold_end(L, i, count);
    int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
    PairVel pv;
    load_pair(L, a, b, pv);
    const Sym3 ia = L.inv_inertia_w(a);
    const Sym3 ib = b >= 0 ? L.inv_inertia_w(b) : Sym3{0, 0, 0, 0, 0, 0};
    for (int32_t c = i; c < end; ++c) {
      Vec3 n = L.get3(s.ct_n, c), t1 = L.get3(s.ct_t1, c), t2 = cross(n, t1);
      Vec3 ra = L.get3(s.ct_ra, c), rb = L.get3(s.ct_rb, c);
      // The solver's per-step constants, formed once here instead of on every substep.
      const Vec3 can = cross(ra, n);
      L.set3(s.ct_can, c, can);
      L.set3(s.ct_ian, c, mul(ia, can));
      L.set3(s.ct_t2, c, t2);
      if (b >= 0) {
        const Vec3 cbn = cross(rb, n);
        L.set3(s.ct_cbn, c, cbn);
        L.set3(s.ct_ibn, c, mul(ib, cbn));
      }
      if (b >= 0) {
        s.ct_mn[L.at(c)] = effective_mass(pv, ra, rb, n);
        s.ct_mt1[L.at(c)] = effective_mass(pv, ra, rb, t1);
        s.ct_mt2[L.at(c)] = effective_mass(pv, ra, rb, t2);
      } else {  // static B: its terms are zero
        s.ct_mn[L.at(c)] = effective_mass_a(pv, ra, n);
        s.ct_mt1[L.at(c)] = effective_mass_a(pv, ra, t1);
        s.ct_mt2[L.at(c)] = effective_mass_a(pv, ra, t2);
      }
      s.ct_jmax[L.at(c)] = 0;
      s.ct_vrel[L.at(c)] = dot(relative_velocity(pv, ra, rb, L.get3(s.ct_vb, c), b >= 0), n);
    }
    i = end;
  }
}

// Warm start: every substep re-applies the accumulated impulses (they are per substep).
PW_HD inline void warm_start(const LaneView& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.l];
  for (int32_t i = 0; i < count;) {
    int32_t end = manifold_end(L, i, count);
    int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
    PairVel pv;
    load_pair(L, a, b, pv);
    for (int32_t c = i; c < end; ++c) {
      Vec3 n = L.get3(s.ct_n, c), t1 = L.get3(s.ct_t1, c), t2 = cross(n, t1);
      double jn = s.ct_jn[L.at(c)];
      Vec3 P = jn * n + s.ct_jt1[L.at(c)] * t1 + s.ct_jt2[L.at(c)] * t2;
      if (b >= 0) {
        apply_impulse(pv, L.get3(s.ct_ra, c), L.get3(s.ct_rb, c), P);
      } else {  // static B: no mass, never moves
        pv.va -= pv.ma * P;
        pv.wa -= mul(pv.ia, cross(L.get3(s.ct_ra, c), P));
      }
      double& jmax = s.ct_jmax[L.at(c)];
      jmax = jn > jmax ? jn : jmax;
    }
    store_pair(L, a, b, pv);
    i = end;
  }
}

// The normal rows of one manifold are iterated until they settle: a single sweep leaves the
// points of a face contact unevenly loaded, which spins the bodies, and friction then turns
// that spin into sliding -- parts wander sideways on a belt, and a bounce hands the energy
// back. The sweeps stop when no impulse changed by more than kSettled of the largest, or
// after kMaxSweeps (resting contacts, warm started, take about two and a half).
constexpr int kMaxSweeps = 8;
constexpr double kSettled = 1e-6;

// One manifold's rows for solve_contacts; kDyn: B is a dynamic body (else the floor or a
// static box, whose side of every row is skipped: it has no mass and never moves).
// The normal rows' angular terms ra x n, rb x n and I^-1 (r x n) and the second friction
// direction do not change during the step: prepare_contacts forms them once per step.
//
// A manifold has one normal n and one tangent basis t1, t2 for all its points, and a static
// partner one velocity; so the normal rows need the linear velocities only through one
// number, un = n . (vb - va), which every normal impulse dj changes by (ma + mb) dj. The
// sweeps work on un and the angular velocities; the linear velocities take the sum of the
// normal impulses once, after the sweeps. Likewise the separation of point k,
//   s0 + n . (xb - xa),  xa = pa + Ra la,
// needs n . Ra la = la . (Ra^T n): one rotated normal per manifold, not a rotated anchor per
// point.
template <bool kDyn>
PW_HD inline void solve_manifold(const PhysicsModel& M, const LaneView& L, int32_t i, int32_t end, double inv_h,
                                 double elapsed, bool use_bias, const Softness& soft) {
  const PhysicsState& s = L.s;
  const double max_push = M.p.max_push_velocity;
  const int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
  Vec3 va = L.get3(s.vel, a), wa = L.get3(s.angvel, a);
  const double ma = s.inv_mass[L.at(a)];
  const Vec3 n = L.get3(s.ct_n, i);
  const Vec3 nla = mul_t(rotation(L.getq(a)), n);  // n in A's body frame
  Vec3 vb{0, 0, 0}, wb{0, 0, 0}, nlb{0, 0, 0};
  double mb = 0;
  // n . (xb - xa) without the anchors' terms.
  double gap = -dot(L.get3(s.pos, a), n);
  if (kDyn) {
    vb = L.get3(s.vel, b);
    wb = L.get3(s.angvel, b);
    mb = s.inv_mass[L.at(b)];
    nlb = mul_t(rotation(L.getq(b)), n);
    gap += dot(L.get3(s.pos, b), n);
  } else {
    vb = L.get3(s.ct_vb, i);  // the static side's velocity: one per manifold
    gap += elapsed * dot(vb, n);
  }
  // The rows' constants for this substep: a manifold has at most kManifoldPoints points.
  Vec3 can[kManifoldPoints], cbn[kManifoldPoints], ian[kManifoldPoints], ibn[kManifoldPoints];
  double bias[kManifoldPoints], mass_scale[kManifoldPoints], impulse_scale[kManifoldPoints], jn[kManifoldPoints];
  double jmax[kManifoldPoints];
  const int np = end - i;
  for (int k = 0; k < np; ++k) {
    const int32_t c = i + k;
    can[k] = L.get3(s.ct_can, c);
    ian[k] = L.get3(s.ct_ian, c);
    double sep = s.ct_sep[L.at(c)] + gap - dot(L.get3(s.ct_la, c), nla);
    if (kDyn) {
      cbn[k] = L.get3(s.ct_cbn, c);
      ibn[k] = L.get3(s.ct_ibn, c);
      sep += dot(L.get3(s.ct_lb, c), nlb);
    } else {
      sep += dot(L.get3(s.ct_lb, c), n);  // the world point
    }
    bias[k] = 0;
    mass_scale[k] = 1;
    impulse_scale[k] = 0;
    if (sep > 0) {
      bias[k] = sep * inv_h;  // speculative: may close the gap, no more
    } else if (use_bias) {
      bias[k] = dmax(soft.bias_rate * sep, -max_push);
      mass_scale[k] = soft.mass_scale;
      impulse_scale[k] = soft.impulse_scale;
    }
    // -m_n * mass_scale, folded once per call.
    mass_scale[k] = -s.ct_mn[L.at(c)] * mass_scale[k];
    jn[k] = s.ct_jn[L.at(c)];
    jmax[k] = s.ct_jmax[L.at(c)];
  }
  const double mab = ma + mb;
  double un = dot(vb - va, n), total = 0;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double largest = 0, change = 0;
    for (int k = 0; k < np; ++k) {
      // Relative normal velocity of B's anchor to A's: n.(vb - va) + wb.(rb x n) - wa.(ra x n).
      double vn = kDyn ? un + dot(wb, cbn[k]) - dot(wa, can[k]) : un - dot(wa, can[k]);
      double dj = mass_scale[k] * (vn + bias[k]) - impulse_scale[k] * jn[k];
      double nj = dmax(jn[k] + dj, 0.0);
      dj = nj - jn[k];
      jn[k] = nj;
      jmax[k] = nj > jmax[k] ? nj : jmax[k];
      total += dj;
      un += mab * dj;
      wa -= dj * ian[k];
      if (kDyn) wb += dj * ibn[k];
      largest = dmax(largest, nj);
      change = dmax(change, dabs(dj));
    }
    if (np == 1 || change <= kSettled * largest) break;
  }
  va -= (ma * total) * n;
  if (kDyn) vb += (mb * total) * n;
  const Vec3 t1 = L.get3(s.ct_t1, i), t2 = L.get3(s.ct_t2, i);
  const Vec3 vs = kDyn ? Vec3{0, 0, 0} : L.get3(s.ct_vs, i);  // static: what friction aims for
  const Sym3 ia = L.inv_inertia_w(a);
  Sym3 ib{0, 0, 0, 0, 0, 0};
  if (kDyn) ib = L.inv_inertia_w(b);
  for (int k = 0; k < np; ++k) {
    const int32_t c = i + k;
    s.ct_jn[L.at(c)] = jn[k];
    s.ct_jmax[L.at(c)] = jmax[k];
    Vec3 ra = L.get3(s.ct_ra, c);
    Vec3 dv;
    Vec3 rb{0, 0, 0};
    if (kDyn) {
      rb = L.get3(s.ct_rb, c);
      dv = (vb + cross(wb, rb)) - (va + cross(wa, ra));
    } else {
      dv = vs - (va + cross(wa, ra));
    }
    double& j1 = s.ct_jt1[L.at(c)];
    double& j2 = s.ct_jt2[L.at(c)];
    double n1 = j1 - s.ct_mt1[L.at(c)] * dot(dv, t1);
    double n2 = j2 - s.ct_mt2[L.at(c)] * dot(dv, t2);
    double lim = s.ct_mu[L.at(c)] * jn[k];
    double len2 = n1 * n1 + n2 * n2;
    if (len2 > lim * lim) {  // Coulomb: the friction impulse stays inside a disc
      double f = lim / ::sqrt(len2);
      n1 *= f;
      n2 *= f;
    }
    Vec3 P = (n1 - j1) * t1 + (n2 - j2) * t2;
    j1 = n1;
    j2 = n2;
    va -= ma * P;
    wa -= mul(ia, cross(ra, P));
    if (kDyn) {
      vb += mb * P;
      wb += mul(ib, cross(rb, P));
    }
  }
  L.set3(s.vel, a, va);
  L.set3(s.angvel, a, wa);
  if (kDyn) {
    L.set3(s.vel, b, vb);
    L.set3(s.angvel, b, wb);
  }
}

// One Gauss-Seidel pass over the contacts, manifold by manifold: the normal rows, then the
// friction rows with the fresh normal impulses. `elapsed`: time since the step's start of
// the current positions; use_bias false is the relax pass (no position feedback).
PW_HD inline void solve_contacts(const PhysicsModel& M, const LaneView& L, double inv_h, double elapsed,
                                 bool use_bias, const Softness& soft_dynamic, const Softness& soft_static) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.l];
  for (int32_t i = 0; i < count;) {
    const int32_t end = manifold_end(L, i, count);
    if (s.ct_b[L.at(i)] >= 0)
      solve_manifold<true>(M, L, i, end, inv_h, elapsed, use_bias, soft_dynamic);
    else
      solve_manifold<false>(M, L, i, end, inv_h, elapsed, use_bias, soft_static);
    i = end;
  }
}

// Restitution after the substeps: a point that approached faster than the threshold at the
// step's start and carried load leaves with e times that speed. One sweep leaves the points
// of a face contact fighting each other (each sets its own speed and disturbs the others
// through the rotation); the sweeps repeat until the impulses settle as in solve_contacts.
// Bounces are rare, so these sweeps go to full precision: a bounce must not gain energy.
constexpr int kMaxRestitutionSweeps = 32;
constexpr double kBounceSettled = 1e-12;

PW_HD inline void apply_restitution(const PhysicsModel& M, const LaneView& L) {
  const PhysicsState& s = L.s;
  const double threshold = M.p.restitution_threshold;
  const int32_t count = s.ct_count[L.l];
  for (int32_t i = 0; i < count;) {
    int32_t end = manifold_end(L, i, count);
    int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
    bool any = false;
    for (int32_t c = i; c < end; ++c)
      any = any || (s.ct_e[L.at(c)] > 0 && s.ct_vrel[L.at(c)] < -threshold && s.ct_jmax[L.at(c)] > 0);
    if (!any) {
      i = end;
      continue;
    }
    PairVel pv;
    load_pair(L, a, b, pv);
    for (int sweep = 0; sweep < kMaxRestitutionSweeps; ++sweep) {
      double largest = 0, change = 0;
      for (int32_t c = i; c < end; ++c) {
        double e = s.ct_e[L.at(c)], vrel = s.ct_vrel[L.at(c)];
        if (!(e > 0 && vrel < -threshold && s.ct_jmax[L.at(c)] > 0)) continue;
        Vec3 n = L.get3(s.ct_n, c), ra = L.get3(s.ct_ra, c), rb = L.get3(s.ct_rb, c);
        double vn = dot(relative_velocity(pv, ra, rb, L.get3(s.ct_vb, c), b >= 0), n);
        double& jn = s.ct_jn[L.at(c)];
        double nj = dmax(jn - s.ct_mn[L.at(c)] * (vn + e * vrel), 0.0);
        double dj = nj - jn;
        jn = nj;
        apply_impulse(pv, ra, rb, dj * n);
        largest = dmax(largest, nj);
        change = dmax(change, dabs(dj));
      }
      if (end - i == 1 || change <= kBounceSettled * largest) break;
    }
    store_pair(L, a, b, pv);
    i = end;
  }
}

// Keeps this step's points and impulses for the next step's warm start.
PW_HD inline void store_impulses(const LaneView& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.l];
  for (int32_t c = 0; c < count; ++c) {
    Vec3 n = L.get3(s.ct_n, c), t1 = L.get3(s.ct_t1, c), t2 = cross(n, t1);
    s.pv_a[L.at(c)] = s.ct_a[L.at(c)];
    s.pv_b[L.at(c)] = s.ct_b[L.at(c)];
    L.set3(s.pv_la, c, L.get3(s.ct_la, c));
    s.pv_jn[L.at(c)] = s.ct_jn[L.at(c)];
    L.set3(s.pv_jt, c, s.ct_jt1[L.at(c)] * t1 + s.ct_jt2[L.at(c)] * t2);
  }
  s.pv_count[L.l] = count;
}

}  // namespace plantwin::phys
