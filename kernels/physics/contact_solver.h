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
#include "kernels/physics/pack.h"
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
template <class V>
PW_HD inline void add_manifold(const PhysicsModel& M, const V& L, int32_t a, const ContactPartner& b,
                               const Manifold& m, int32_t& cursor, int32_t& dropped) {
  const PhysicsState& s = L.s;
  int32_t count = s.ct_count[L.lane()];
  const int32_t pc = s.pv_count[L.lane()];
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
  Mat3 Ra = L.getR(a);
  const double mu = ::sqrt(s.friction[L.at(a)] * b.friction), e_a = s.restitution[L.at(a)];
  const double e = e_a > b.restitution ? e_a : b.restitution;
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
    s.ct_mu[L.at(c)] = mu;
    s.ct_e[L.at(c)] = e;
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

template <class V>
PW_HD inline void load_pair(const V& L, int32_t a, int32_t b, PairVel& pv) {
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

template <class V>
PW_HD inline void store_pair(const V& L, int32_t a, int32_t b, const PairVel& pv) {
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

// Velocity of B's anchor relative to A's, for the normal row (static B: its own velocity).
PW_HD PW_FORCEINLINE Vec3 relative_velocity(const PairVel& pv, Vec3 ra, Vec3 rb, Vec3 static_v, bool dynamic_b) {
  Vec3 vb = dynamic_b ? pv.vb + cross(pv.wb, rb) : static_v;
  return vb - (pv.va + cross(pv.wa, ra));
}

// The end of the run of contacts [i, end) that share i's pair: a manifold (a pair has one
// per step, so at most kManifoldPoints points; the cap only guards the solver's arrays).
template <class V>
PW_HD PW_FORCEINLINE int32_t manifold_end(const V& L, int32_t i, int32_t count) {
  int32_t a = L.s.ct_a[L.at(i)], b = L.s.ct_b[L.at(i)];
  int32_t j = i + 1;
  while (j < count && j < i + kManifoldPoints && L.s.ct_a[L.at(j)] == a && L.s.ct_b[L.at(j)] == b) ++j;
  return j;
}

// The solver's groups: consecutive manifolds of the same kind (B dynamic, or static) that
// share no dynamic body, up to the view's kSolverWidth W of them, formed greedily in contact
// order. Solving a group's manifolds side by side gives exactly what solving them one after
// the other gives; on the cpu it lets one instruction serve W manifolds (kernels/physics/
// pack.h), whose serial Gauss-Seidel chains otherwise bound the solver's speed.
//
// A group's per-step constants are packed once per step by prepare_contacts: element m of
// each sm_ (per manifold) and sp_ (per point) row is manifold m's. Points k >= np[m] and
// manifolds m >= nm are idle elements, all zero; every update is masked to the elements that
// have the point, so idle elements never touch a body.

// Prepare: groups, effective masses and the relative normal velocity restitution will need.
// Runs after the world inverse inertias of the step are set.
template <class V>
PW_HD inline void prepare_contacts(const V& L) {
  constexpr int W = V::kSolverWidth;
  using D = typename V::Pk;
  using D3 = typename V::Pk3;
  using Mask = PackMask<W>;
  const PhysicsState& s = L.s;
  const D zero = D::splat(0.0), one = D::splat(1.0);
  const int32_t count = s.ct_count[L.lane()];
  int32_t groups = 0, slot = 0;
  for (int32_t i = 0; i < count;) {
    // The group starting at contact i.
    const bool dyn = s.ct_b[L.at(i)] >= 0;
    int32_t first[W] = {}, end[W] = {}, bodies[2 * W];
    int nm = 0, nb = 0, npmax = 0;
    int32_t j = i;
    while (nm < W && j < count) {
      const int32_t a = s.ct_a[L.at(j)], b = s.ct_b[L.at(j)];
      if ((b >= 0) != dyn) break;
      bool shared = false;
      for (int q = 0; q < nb; ++q) shared = shared || bodies[q] == a || (dyn && bodies[q] == b);
      if (shared) break;
      bodies[nb++] = a;
      if (dyn) bodies[nb++] = b;
      first[nm] = j;
      end[nm] = manifold_end(L, j, count);
      npmax = end[nm] - j > npmax ? end[nm] - j : npmax;
      j = end[nm++];
    }
    const int32_t g = groups++;
    s.sg_first[L.at(g)] = i;
    s.sg_nm[L.at(g)] = nm;
    s.sg_npmax[L.at(g)] = npmax;
    s.sg_slot[L.at(g)] = slot;
    s.sg_dyn[L.at(g)] = dyn ? 1 : 0;
    // Per manifold, gathered: points, masses, inertias, velocities, directions; idle zero.
    double g_np[W], g_ma[W], g_mb[W], g_ia[6][W], g_ib[6][W], g_v[4][3][W], g_n[3][W], g_t1[3][W], g_vb[3][W],
        g_vs[3][W];
    for (int m = 0; m < W; ++m) {
      const bool on = m < nm;
      const int32_t c0 = on ? first[m] : 0;
      const int32_t a = on ? s.ct_a[L.at(c0)] : 0, b = on ? s.ct_b[L.at(c0)] : 0;
      s.sm_a[L.el(g, m)] = a;
      s.sm_b[L.el(g, m)] = b;
      PairVel pv;
      pv.va = pv.wa = pv.vb = pv.wb = Vec3{0, 0, 0};
      pv.ma = pv.mb = 0;
      pv.ia = pv.ib = Sym3{0, 0, 0, 0, 0, 0};
      Vec3 n{0, 0, 0}, t1{0, 0, 0}, vb{0, 0, 0}, vs{0, 0, 0};
      if (on) {
        load_pair(L, a, b, pv);
        n = L.get3(s.ct_n, c0);
        t1 = L.get3(s.ct_t1, c0);
        if (!dyn) {
          vb = L.get3(s.ct_vb, c0);
          vs = L.get3(s.ct_vs, c0);
        }
      }
      g_np[m] = on ? end[m] - c0 : 0;
      g_ma[m] = pv.ma;
      g_mb[m] = pv.mb;
      const double ia[6] = {pv.ia.xx, pv.ia.yy, pv.ia.zz, pv.ia.xy, pv.ia.xz, pv.ia.yz};
      const double ib[6] = {pv.ib.xx, pv.ib.yy, pv.ib.zz, pv.ib.xy, pv.ib.xz, pv.ib.yz};
      for (int q = 0; q < 6; ++q) {
        g_ia[q][m] = ia[q];
        g_ib[q][m] = ib[q];
      }
      const Vec3 v3[8] = {pv.va, pv.wa, pv.vb, pv.wb, n, t1, vb, vs};
      double(*const gv[8])[W] = {g_v[0], g_v[1], g_v[2], g_v[3], g_n, g_t1, g_vb, g_vs};
      for (int q = 0; q < 8; ++q) {
        gv[q][0][m] = v3[q].x;
        gv[q][1][m] = v3[q].y;
        gv[q][2][m] = v3[q].z;
      }
    }
    const D np = D::load(g_np), ma = D::load(g_ma), mb = D::load(g_mb), mab = ma + mb;
    D ia[6], ib[6];
    for (int q = 0; q < 6; ++q) {
      ia[q] = D::load(g_ia[q]);
      ib[q] = D::load(g_ib[q]);
    }
    const D3 va = load3(g_v[0]), wa = load3(g_v[1]), vbd = load3(g_v[2]), wb = load3(g_v[3]);
    const D3 n = load3(g_n), t1 = load3(g_t1), t2 = cross(n, t1), vb = load3(g_vb);
    L.pstore(s.sm_np, g, np);
    L.pstore(s.sm_ma, g, ma);
    L.pstore(s.sm_mb, g, mb);
    L.pstore3(s.sm_n, g, n);
    L.pstore3(s.sm_t1, g, t1);
    L.pstore3(s.sm_t2, g, t2);
    L.pstore3(s.sm_vb, g, vb);
    L.pstore3(s.sm_vs, g, load3(g_vs));
    for (int k = 0; k < npmax; ++k) {
      const int32_t sl = slot + k;
      // Point k of each manifold, gathered; idle zero.
      double g_r[4][3][W], g_sc[5][W];
      for (int m = 0; m < W; ++m) {
        const bool pt = m < nm && first[m] + k < end[m];
        const int32_t c = pt ? first[m] + k : 0;
        const Vec3 r4[4] = {pt ? L.get3(s.ct_ra, c) : Vec3{0, 0, 0}, pt ? L.get3(s.ct_rb, c) : Vec3{0, 0, 0},
                            pt ? L.get3(s.ct_la, c) : Vec3{0, 0, 0}, pt ? L.get3(s.ct_lb, c) : Vec3{0, 0, 0}};
        for (int q = 0; q < 4; ++q) {
          g_r[q][0][m] = r4[q].x;
          g_r[q][1][m] = r4[q].y;
          g_r[q][2][m] = r4[q].z;
        }
        g_sc[0][m] = pt ? s.ct_sep[L.at(c)] : 0;
        g_sc[1][m] = pt ? s.ct_mu[L.at(c)] : 0;
        g_sc[2][m] = pt ? s.ct_jn[L.at(c)] : 0;
        g_sc[3][m] = pt ? s.ct_jt1[L.at(c)] : 0;
        g_sc[4][m] = pt ? s.ct_jt2[L.at(c)] : 0;
      }
      const Mask has = np > D::splat(double(k));
      const D3 ra = load3(g_r[0]), rb = load3(g_r[1]);
      // The solver's per-step constants, formed once here instead of on every substep: for
      // each row direction d (n, t1, t2), r x d and I^-1 (r x d) of each dynamic side, and
      // the row's effective mass 1 / (ma + mb + (ra x d).I_a^-1 (ra x d) + the same for B).
      const D3 dir[3] = {n, t1, t2};
      D3 ca[3], ica[3], cb[3], icb[3];
      D mass[3];
      for (int r = 0; r < 3; ++r) {
        ca[r] = cross(ra, dir[r]);
        ica[r] = mul_sym(ia, ca[r]);
        D kk = mab + dot(ca[r], ica[r]);
        if (dyn) {  // a static B adds nothing: no mass, no inertia
          cb[r] = cross(rb, dir[r]);
          icb[r] = mul_sym(ib, cb[r]);
          kk = kk + dot(cb[r], icb[r]);
        }
        mass[r] = select(has & (kk > zero), one / kk, zero);
      }
      L.pstore3(s.sp_can, sl, ca[0]);
      L.pstore3(s.sp_ian, sl, ica[0]);
      L.pstore3(s.sp_rat, 2 * sl, ca[1]);
      L.pstore3(s.sp_rat, 2 * sl + 1, ca[2]);
      L.pstore3(s.sp_iat, 2 * sl, ica[1]);
      L.pstore3(s.sp_iat, 2 * sl + 1, ica[2]);
      if (dyn) {  // only dynamic groups read B's side
        L.pstore3(s.sp_cbn, sl, cb[0]);
        L.pstore3(s.sp_ibn, sl, icb[0]);
        L.pstore3(s.sp_rbt, 2 * sl, cb[1]);
        L.pstore3(s.sp_rbt, 2 * sl + 1, cb[2]);
        L.pstore3(s.sp_ibt, 2 * sl, icb[1]);
        L.pstore3(s.sp_ibt, 2 * sl + 1, icb[2]);
      }
      L.pstore3(s.sp_ra, sl, ra);
      L.pstore3(s.sp_rb, sl, rb);
      L.pstore3(s.sp_la, sl, load3(g_r[2]));
      L.pstore3(s.sp_lb, sl, load3(g_r[3]));
      L.pstore(s.sp_sep, sl, D::load(g_sc[0]));
      L.pstore(s.sp_mu, sl, D::load(g_sc[1]));
      L.pstore(s.sp_jn, sl, D::load(g_sc[2]));
      L.pstore(s.sp_jt1, sl, D::load(g_sc[3]));
      L.pstore(s.sp_jt2, sl, D::load(g_sc[4]));
      L.pstore(s.sp_jmax, sl, zero);
      L.pstore(s.sp_mn, sl, mass[0]);
      L.pstore(s.sp_mt1, sl, mass[1]);
      L.pstore(s.sp_mt2, sl, mass[2]);
      // Restitution's inputs: the normal mass and the relative normal velocity, per point.
      const D3 vbp = dyn ? vbd + cross(wb, rb) : vb;
      const D vrel = dot(vbp - (va + cross(wa, ra)), n);
      double g_mn[W], g_vrel[W];
      mass[0].store(g_mn);
      vrel.store(g_vrel);
      for (int m = 0; m < nm; ++m) {
        if (first[m] + k >= end[m]) continue;
        s.ct_mn[L.at(first[m] + k)] = g_mn[m];
        s.ct_vrel[L.at(first[m] + k)] = g_vrel[m];
      }
    }
    slot += npmax;
    i = j;
  }
  s.sg_count[L.lane()] = groups;
}

// Warm start: every substep re-applies the accumulated impulses (they are per substep). A
// manifold's points share its bodies, so their impulses and moments are summed first and
// each body's velocities change once per manifold.
template <class V>
PW_HD inline void warm_start(const V& L) {
  constexpr int W = V::kSolverWidth;
  using D = typename V::Pk;
  using D3 = typename V::Pk3;
  const PhysicsState& s = L.s;
  const int32_t groups = s.sg_count[L.lane()];
  const D zero = D::splat(0.0);
  for (int32_t g = 0; g < groups; ++g) {
    const int nm = s.sg_nm[L.at(g)], npmax = s.sg_npmax[L.at(g)];
    const int32_t slot = s.sg_slot[L.at(g)];
    const bool dyn = s.sg_dyn[L.at(g)] != 0;
    const D np = L.pload(s.sm_np, g);
    const D3 n = L.pload3(s.sm_n, g), t1 = L.pload3(s.sm_t1, g), t2 = L.pload3(s.sm_t2, g);
    D3 F{zero, zero, zero}, Ta = F, Tb = F;  // impulse on B; moments about A's and B's centres
    for (int k = 0; k < npmax; ++k) {
      const int32_t sl = slot + k;
      const auto has = np > D::splat(double(k));
      const D jn = L.pload(s.sp_jn, sl);
      const D3 P = jn * n + L.pload(s.sp_jt1, sl) * t1 + L.pload(s.sp_jt2, sl) * t2;
      F = select(has, F + P, F);
      Ta = select(has, Ta + cross(L.pload3(s.sp_ra, sl), P), Ta);
      if (dyn) Tb = select(has, Tb + cross(L.pload3(s.sp_rb, sl), P), Tb);
      L.pstore(s.sp_jmax, sl, pmax(jn, L.pload(s.sp_jmax, sl)));
    }
    double g_f[3][3][W];  // F, Ta, Tb by element
    store3(F, g_f[0]);
    store3(Ta, g_f[1]);
    store3(Tb, g_f[2]);
    for (int m = 0; m < nm; ++m) {
      const int32_t a = s.sm_a[L.el(g, m)], b = s.sm_b[L.el(g, m)];
      const Vec3 f{g_f[0][0][m], g_f[0][1][m], g_f[0][2][m]};
      L.set3(s.vel, a, L.get3(s.vel, a) - s.inv_mass[L.at(a)] * f);
      L.set3(s.angvel, a, L.get3(s.angvel, a) - mul(L.inv_inertia_w(a), Vec3{g_f[1][0][m], g_f[1][1][m], g_f[1][2][m]}));
      if (dyn) {  // a static B has no mass and never moves
        L.set3(s.vel, b, L.get3(s.vel, b) + s.inv_mass[L.at(b)] * f);
        L.set3(s.angvel, b, L.get3(s.angvel, b) + mul(L.inv_inertia_w(b), Vec3{g_f[2][0][m], g_f[2][1][m], g_f[2][2][m]}));
      }
    }
  }
}

// The normal rows of one manifold are iterated until they settle: a single sweep leaves the
// points of a face contact unevenly loaded, which spins the bodies, and friction then turns
// that spin into sliding -- parts wander sideways on a belt, and a bounce hands the energy
// back. The sweeps stop when no impulse changed by more than kSettled of the largest, or
// after kMaxSweeps. Warm started, most manifolds settle in one sweep; a queue pressed against
// a stopper takes more. 1e-6 cost a quarter of the time of the belt benchmark's queue and
// gave the same mechanics (every physics test passes with either).
constexpr int kMaxSweeps = 8;
constexpr double kSettled = 1e-3;

// The rows of group g for solve_contacts, its manifolds side by side; kDyn: B is a dynamic
// body (else the floor or a static box, whose side of every row is skipped: it has no mass
// and never moves).
//
// The rows' angular terms r x d and I^-1 (r x d) do not change during the step: they are in
// the group's packed constants. A manifold has one normal n and one tangent basis t1, t2 for
// all its points, and a static partner one velocity; so the normal rows need the linear
// velocities only through one number, un = n . (vb - va), which every normal impulse dj
// changes by (ma + mb) dj. The sweeps work on un and the angular velocities; the linear
// velocities take the sum of the normal impulses once, after the sweeps. Likewise the
// separation of point k,
//   s0 + n . (xb - xa),  xa = pa + Ra la,
// needs n . Ra la = la . (Ra^T n): one rotated normal per manifold, not a rotated anchor per
// point.
template <bool kDyn, int K, class V>
PW_HD inline void solve_group(const PhysicsModel& M, const V& L, int32_t g, double inv_h, double elapsed,
                              bool use_bias, const Softness& soft) {
  constexpr int P = kManifoldPoints;
  using D = Pack<K>;
  using D3 = Pack3<K>;
  using Mask = PackMask<K>;
  const PhysicsState& s = L.s;
  const int nm = s.sg_nm[L.at(g)], npmax = s.sg_npmax[L.at(g)];
  const int32_t slot = s.sg_slot[L.at(g)];
  // The bodies' velocities and the separation's body terms, gathered per manifold; idle
  // elements zero.
  double g_v[4][3][K], g_nla[3][K], g_nlb[3][K], g_gap[K];
  for (int m = 0; m < K; ++m) {
    Vec3 v[4] = {}, nla{0, 0, 0}, nlb{0, 0, 0};
    double gap = 0;
    if (m < nm) {
      const int32_t a = s.sm_a[L.el(g, m)], b = s.sm_b[L.el(g, m)];
      const Vec3 n = L.el3(s.sm_n, g, m);
      v[0] = L.get3(s.vel, a);
      v[1] = L.get3(s.angvel, a);
      nla = mul_t(L.getR(a), n);  // n in A's body frame
      gap = -dot(L.get3(s.pos, a), n);      // n . (xb - xa) without the anchors' terms
      if (kDyn) {
        v[2] = L.get3(s.vel, b);
        v[3] = L.get3(s.angvel, b);
        nlb = mul_t(L.getR(b), n);
        gap += dot(L.get3(s.pos, b), n);
      } else {
        gap += elapsed * dot(L.el3(s.sm_vb, g, m), n);
      }
    }
    for (int q = 0; q < 4; ++q) {
      g_v[q][0][m] = v[q].x;
      g_v[q][1][m] = v[q].y;
      g_v[q][2][m] = v[q].z;
    }
    g_nla[0][m] = nla.x;
    g_nla[1][m] = nla.y;
    g_nla[2][m] = nla.z;
    g_nlb[0][m] = nlb.x;
    g_nlb[1][m] = nlb.y;
    g_nlb[2][m] = nlb.z;
    g_gap[m] = gap;
  }
  const D zero = D::splat(0.0);
  D3 va = load3(g_v[0]), wa = load3(g_v[1]), vb = kDyn ? load3(g_v[2]) : L.template pload3<K>(s.sm_vb, g),
     wb = load3(g_v[3]);
  const D3 n = L.template pload3<K>(s.sm_n, g), nla = load3(g_nla), nlb = load3(g_nlb);
  const D gap = D::load(g_gap);
  const D np = L.template pload<K>(s.sm_np, g);
  const D ma = L.template pload<K>(s.sm_ma, g), mb = L.template pload<K>(s.sm_mb, g), mab = ma + mb;
  Mask has[P];  // the elements that have point k
  for (int k = 0; k < P; ++k) has[k] = np > D::splat(double(k));
  // The rows' constants for this substep: bias, -m_n * mass scale, impulse scale.
  D bias[P], ms[P], is[P], jn[P], jmax[P];
  const D inv_hp = D::splat(inv_h), rate = D::splat(soft.bias_rate), push = D::splat(-M.p.max_push_velocity);
  const D one = D::splat(1.0), soft_mass = D::splat(soft.mass_scale), soft_impulse = D::splat(soft.impulse_scale);
  for (int k = 0; k < npmax; ++k) {
    const int32_t sl = slot + k;
    D sep = L.template pload<K>(s.sp_sep, sl) + gap - dot(L.template pload3<K>(s.sp_la, sl), nla);
    sep = sep + dot(L.template pload3<K>(s.sp_lb, sl), kDyn ? nlb : n);  // static B: lb is the world point
    const Mask spec = sep > zero;  // speculative: may close the gap, no more
    if (use_bias) {
      bias[k] = select(spec, sep * inv_hp, pmax(rate * sep, push));
      ms[k] = -L.template pload<K>(s.sp_mn, sl) * select(spec, one, soft_mass);
      is[k] = select(spec, zero, soft_impulse);
    } else {
      bias[k] = select(spec, sep * inv_hp, zero);
      ms[k] = -L.template pload<K>(s.sp_mn, sl) * one;
      is[k] = zero;
    }
    jn[k] = L.template pload<K>(s.sp_jn, sl);
    jmax[k] = L.template pload<K>(s.sp_jmax, sl);
  }
  D un = dot(vb - va, n);
  D total = zero;
  // The normal rows, swept until they settle (each manifold on its own count).
  Mask live = has[0];  // the manifolds still sweeping
  const Mask single = ~has[1];
  const D settled = D::splat(kSettled);
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    D largest = zero, change = zero;
    for (int k = 0; k < npmax; ++k) {
      const int32_t sl = slot + k;
      const Mask act = live & has[k];
      // Relative normal velocity of B's anchor to A's: n.(vb - va) + wb.(rb x n) - wa.(ra x n).
      const D3 can = L.template pload3<K>(s.sp_can, sl);
      D vn;
      if (kDyn)
        vn = un + dot(wb, L.template pload3<K>(s.sp_cbn, sl)) - dot(wa, can);
      else
        vn = un - dot(wa, can);
      D dj = ms[k] * (vn + bias[k]) - is[k] * jn[k];
      D nj = pmax(jn[k] + dj, zero);
      dj = select(act, nj - jn[k], zero);
      nj = select(act, nj, jn[k]);
      jn[k] = nj;
      jmax[k] = pmax(nj, jmax[k]);  // where the point is idle, jmax >= jn already
      total = total + dj;           // never -0, so adding a masked +0 changes nothing
      un = select(act, un + mab * dj, un);
      wa = select(act, wa - dj * L.template pload3<K>(s.sp_ian, sl), wa);
      if (kDyn) wb = select(act, wb + dj * L.template pload3<K>(s.sp_ibn, sl), wb);
      largest = pmax(largest, nj);
      change = pmax(change, pabs(dj));
    }
    live = live & ~(single | (change <= settled * largest));
    if (all(~live)) break;
  }
  // The friction rows with the fresh normal impulses, in the manifold's frame as the normal
  // rows: the relative tangential velocity of B's anchor to A's along t1 is
  //   u1 + wb . (rb x t1) - wa . (ra x t1),  u1 = t1 . (vb - va)
  // (static B: vb is the velocity friction aims for, the belt's included), and an impulse
  // d1 t1 + d2 t2 changes u1 by (ma + mb) d1 and the angular velocities through the step's
  // constants I^-1 (r x t); the linear velocities take the summed impulse after the sweep.
  va = va - (ma * total) * n;
  if (kDyn) vb = vb + (mb * total) * n;
  const D3 t1 = L.template pload3<K>(s.sm_t1, g), t2 = L.template pload3<K>(s.sm_t2, g);
  const D3 rel = (kDyn ? vb : L.template pload3<K>(s.sm_vs, g)) - va;
  D u1 = dot(rel, t1), u2 = dot(rel, t2);
  D d1sum = zero, d2sum = zero;
  for (int k = 0; k < npmax; ++k) {
    const int32_t sl = slot + k;
    const Mask h = has[k];
    L.template pstore<K>(s.sp_jn, sl, jn[k]);
    L.template pstore<K>(s.sp_jmax, sl, jmax[k]);
    D v1 = u1 - dot(wa, L.template pload3<K>(s.sp_rat, 2 * sl)), v2 = u2 - dot(wa, L.template pload3<K>(s.sp_rat, 2 * sl + 1));
    if (kDyn) {
      v1 = v1 + dot(wb, L.template pload3<K>(s.sp_rbt, 2 * sl));
      v2 = v2 + dot(wb, L.template pload3<K>(s.sp_rbt, 2 * sl + 1));
    }
    const D j1 = L.template pload<K>(s.sp_jt1, sl), j2 = L.template pload<K>(s.sp_jt2, sl);
    D n1 = j1 - L.template pload<K>(s.sp_mt1, sl) * v1;
    D n2 = j2 - L.template pload<K>(s.sp_mt2, sl) * v2;
    const D lim = L.template pload<K>(s.sp_mu, sl) * jn[k];
    const D len2 = n1 * n1 + n2 * n2;
    const Mask slip = len2 > lim * lim;  // Coulomb: the friction impulse stays inside a disc
    const D f = lim / psqrt(len2);
    n1 = select(slip, n1 * f, n1);
    n2 = select(slip, n2 * f, n2);
    L.template pstore<K>(s.sp_jt1, sl, n1);
    L.template pstore<K>(s.sp_jt2, sl, n2);
    const D d1 = select(h, n1 - j1, zero), d2 = select(h, n2 - j2, zero);
    d1sum = d1sum + d1;
    d2sum = d2sum + d2;
    u1 = select(h, u1 + mab * d1, u1);
    u2 = select(h, u2 + mab * d2, u2);
    wa = select(h, wa - (d1 * L.template pload3<K>(s.sp_iat, 2 * sl) + d2 * L.template pload3<K>(s.sp_iat, 2 * sl + 1)), wa);
    if (kDyn) wb = select(h, wb + (d1 * L.template pload3<K>(s.sp_ibt, 2 * sl) + d2 * L.template pload3<K>(s.sp_ibt, 2 * sl + 1)), wb);
  }
  const D3 imp = d1sum * t1 + d2sum * t2;
  va = va - ma * imp;
  if (kDyn) vb = vb + mb * imp;
  store3(va, g_v[0]);
  store3(wa, g_v[1]);
  store3(vb, g_v[2]);
  store3(wb, g_v[3]);
  for (int m = 0; m < nm; ++m) {
    const int32_t a = s.sm_a[L.el(g, m)];
    L.set3(s.vel, a, Vec3{g_v[0][0][m], g_v[0][1][m], g_v[0][2][m]});
    L.set3(s.angvel, a, Vec3{g_v[1][0][m], g_v[1][1][m], g_v[1][2][m]});
    if (kDyn) {
      const int32_t b = s.sm_b[L.el(g, m)];
      L.set3(s.vel, b, Vec3{g_v[2][0][m], g_v[2][1][m], g_v[2][2][m]});
      L.set3(s.angvel, b, Vec3{g_v[3][0][m], g_v[3][1][m], g_v[3][2][m]});
    }
  }
}

// solve_group in packs of K for a group of either kind.
template <int K, class V>
PW_HD PW_FORCEINLINE void solve_group_packed(const PhysicsModel& M, const V& L, int32_t g, bool dyn, double inv_h,
                                             double elapsed, bool use_bias, const Softness& soft_dynamic,
                                             const Softness& soft_static) {
  if (dyn)
    solve_group<true, K>(M, L, g, inv_h, elapsed, use_bias, soft_dynamic);
  else
    solve_group<false, K>(M, L, g, inv_h, elapsed, use_bias, soft_static);
}

// One Gauss-Seidel pass over the contacts, group by group: the normal rows, then the
// friction rows with the fresh normal impulses. `elapsed`: time since the step's start of
// the current positions; use_bias false is the relax pass (no position feedback).
template <class V>
PW_HD inline void solve_contacts(const PhysicsModel& M, const V& L, double inv_h, double elapsed,
                                 bool use_bias, const Softness& soft_dynamic, const Softness& soft_static) {
  const PhysicsState& s = L.s;
  const int32_t groups = s.sg_count[L.lane()];
  for (int32_t g = 0; g < groups; ++g) {
    const bool dyn = s.sg_dyn[L.at(g)] != 0;
    const int nm = s.sg_nm[L.at(g)];
    // A group of one or two manifolds (a body with several static contacts ends a group early)
    // takes packs of its own size on lane blocks: the same results, a half or a quarter of the work.
    if constexpr (V::kSolverWidth == 4) {
      if (nm > 2) {
        solve_group_packed<4>(M, L, g, dyn, inv_h, elapsed, use_bias, soft_dynamic, soft_static);
        continue;
      }
      if (nm == 2) {
        solve_group_packed<2>(M, L, g, dyn, inv_h, elapsed, use_bias, soft_dynamic, soft_static);
        continue;
      }
    }
    solve_group_packed<1>(M, L, g, dyn, inv_h, elapsed, use_bias, soft_dynamic, soft_static);
  }
}

// The substeps' impulses back to the contact points, for restitution and the next step's
// warm start.
template <class V>
PW_HD inline void unpack_impulses(const V& L) {
  const PhysicsState& s = L.s;
  const int32_t groups = s.sg_count[L.lane()];
  for (int32_t g = 0; g < groups; ++g) {
    const int nm = s.sg_nm[L.at(g)];
    const int32_t slot = s.sg_slot[L.at(g)];
    int32_t c = s.sg_first[L.at(g)];
    for (int m = 0; m < nm; ++m) {
      const int np = static_cast<int>(s.sm_np[L.el(g, m)]);
      for (int k = 0; k < np; ++k, ++c) {
        s.ct_jn[L.at(c)] = s.sp_jn[L.el(slot + k, m)];
        s.ct_jmax[L.at(c)] = s.sp_jmax[L.el(slot + k, m)];
        s.ct_jt1[L.at(c)] = s.sp_jt1[L.el(slot + k, m)];
        s.ct_jt2[L.at(c)] = s.sp_jt2[L.el(slot + k, m)];
      }
    }
  }
}

// Restitution after the substeps: a point that approached faster than the threshold at the
// step's start and carried load leaves with e times that speed. One sweep leaves the points
// of a face contact fighting each other (each sets its own speed and disturbs the others
// through the rotation); the sweeps repeat until the impulses settle as in solve_contacts.
// Bounces are rare, so these sweeps go to full precision: a bounce must not gain energy.
constexpr int kMaxRestitutionSweeps = 32;
constexpr double kBounceSettled = 1e-12;

template <class V>
PW_HD inline void apply_restitution(const PhysicsModel& M, const V& L) {
  const PhysicsState& s = L.s;
  const double threshold = M.p.restitution_threshold;
  const int32_t count = s.ct_count[L.lane()];
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
template <class V>
PW_HD inline void store_impulses(const V& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.lane()];
  for (int32_t c = 0; c < count; ++c) {
    Vec3 n = L.get3(s.ct_n, c), t1 = L.get3(s.ct_t1, c), t2 = cross(n, t1);
    s.pv_a[L.at(c)] = s.ct_a[L.at(c)];
    s.pv_b[L.at(c)] = s.ct_b[L.at(c)];
    L.set3(s.pv_la, c, L.get3(s.ct_la, c));
    s.pv_jn[L.at(c)] = s.ct_jn[L.at(c)];
    L.set3(s.pv_jt, c, s.ct_jt1[L.at(c)] * t1 + s.ct_jt2[L.at(c)] * t2);
  }
  s.pv_count[L.lane()] = count;
}

}  // namespace plantwin::phys
