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

// Prepare: effective masses and the relative normal velocity restitution will need. Runs
// after the world inverse inertias of the step are set.
template <class V>
PW_HD inline void prepare_contacts(const V& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.lane()];
  for (int32_t i = 0; i < count;) {
    int32_t end = manifold_end(L, i, count);
    int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
    PairVel pv;
    load_pair(L, a, b, pv);
    for (int32_t c = i; c < end; ++c) {
      const Vec3 n = L.get3(s.ct_n, c), t1 = L.get3(s.ct_t1, c), t2 = cross(n, t1);
      const Vec3 ra = L.get3(s.ct_ra, c), rb = L.get3(s.ct_rb, c);
      // The solver's per-step constants, formed once here instead of on every substep: for
      // each row direction d (n, t1, t2), r x d and I^-1 (r x d) of each dynamic side, and
      // the row's effective mass 1 / (ma + mb + (ra x d).I_a^-1 (ra x d) + the same for B).
      const Vec3 dir[3] = {n, t1, t2};
      Vec3 ca[3], ica[3], cb[3] = {}, icb[3] = {};
      double mass[3];
      for (int r = 0; r < 3; ++r) {
        ca[r] = cross(ra, dir[r]);
        ica[r] = mul(pv.ia, ca[r]);
        double k = pv.ma + pv.mb + dot(ca[r], ica[r]);
        if (b >= 0) {  // a static B adds nothing: no mass, no inertia
          cb[r] = cross(rb, dir[r]);
          icb[r] = mul(pv.ib, cb[r]);
          k += dot(cb[r], icb[r]);
        }
        mass[r] = k > 0 ? 1.0 / k : 0.0;
      }
      L.set3(s.ct_t2, c, t2);
      L.set3(s.ct_can, c, ca[0]);
      L.set3(s.ct_ian, c, ica[0]);
      L.set3(s.ct_rat, 2 * c, ca[1]);
      L.set3(s.ct_rat, 2 * c + 1, ca[2]);
      L.set3(s.ct_iat, 2 * c, ica[1]);
      L.set3(s.ct_iat, 2 * c + 1, ica[2]);
      if (b >= 0) {
        L.set3(s.ct_cbn, c, cb[0]);
        L.set3(s.ct_ibn, c, icb[0]);
        L.set3(s.ct_rbt, 2 * c, cb[1]);
        L.set3(s.ct_rbt, 2 * c + 1, cb[2]);
        L.set3(s.ct_ibt, 2 * c, icb[1]);
        L.set3(s.ct_ibt, 2 * c + 1, icb[2]);
      }
      s.ct_mn[L.at(c)] = mass[0];
      s.ct_mt1[L.at(c)] = mass[1];
      s.ct_mt2[L.at(c)] = mass[2];
      s.ct_jmax[L.at(c)] = 0;
      s.ct_vrel[L.at(c)] = dot(relative_velocity(pv, ra, rb, L.get3(s.ct_vb, c), b >= 0), n);
    }
    i = end;
  }
}

// Warm start: every substep re-applies the accumulated impulses (they are per substep). A
// manifold's points share its bodies, so their impulses and moments are summed first and
// each body's velocities change once per manifold.
template <class V>
PW_HD inline void warm_start(const V& L) {
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.lane()];
  for (int32_t i = 0; i < count;) {
    const int32_t end = manifold_end(L, i, count);
    const int32_t a = s.ct_a[L.at(i)], b = s.ct_b[L.at(i)];
    const Vec3 n = L.get3(s.ct_n, i), t1 = L.get3(s.ct_t1, i), t2 = L.get3(s.ct_t2, i);
    Vec3 F{0, 0, 0}, Ta{0, 0, 0}, Tb{0, 0, 0};  // impulse on B; moments about A's and B's centres
    for (int32_t c = i; c < end; ++c) {
      const double jn = s.ct_jn[L.at(c)];
      const Vec3 P = jn * n + s.ct_jt1[L.at(c)] * t1 + s.ct_jt2[L.at(c)] * t2;
      F += P;
      Ta += cross(L.get3(s.ct_ra, c), P);
      if (b >= 0) Tb += cross(L.get3(s.ct_rb, c), P);
      double& jmax = s.ct_jmax[L.at(c)];
      jmax = jn > jmax ? jn : jmax;
    }
    L.set3(s.vel, a, L.get3(s.vel, a) - s.inv_mass[L.at(a)] * F);
    L.set3(s.angvel, a, L.get3(s.angvel, a) - mul(L.inv_inertia_w(a), Ta));
    if (b >= 0) {  // a static B has no mass and never moves
      L.set3(s.vel, b, L.get3(s.vel, b) + s.inv_mass[L.at(b)] * F);
      L.set3(s.angvel, b, L.get3(s.angvel, b) + mul(L.inv_inertia_w(b), Tb));
    }
    i = end;
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

// The rows of up to W manifolds for solve_contacts, solved side by side; kDyn: B is a
// dynamic body (else the floor or a static box, whose side of every row is skipped: it has no
// mass and never moves). The manifolds of a group share no dynamic body, so solving them side
// by side gives exactly what solving them one after the other gives; it only lets the
// processor overlap their serial Gauss-Seidel chains (each point's impulse waits for the
// previous point's velocities), which is what bounds the solver's speed on the cpu.
//
// The normal rows' angular terms ra x n, rb x n and I^-1 (r x n) and the second friction
// direction do not change during the step: prepare_contacts forms them once per step.
// A manifold has one normal n and one tangent basis t1, t2 for all its points, and a static
// partner one velocity; so the normal rows need the linear velocities only through one
// number, un = n . (vb - va), which every normal impulse dj changes by (ma + mb) dj. The
// sweeps work on un and the angular velocities; the linear velocities take the sum of the
// normal impulses once, after the sweeps. Likewise the separation of point k,
//   s0 + n . (xb - xa),  xa = pa + Ra la,
// needs n . Ra la = la . (Ra^T n): one rotated normal per manifold, not a rotated anchor per
// point.
// GCC cannot see that entries m >= nm are never read and warns; zeroing them took 1.5 % of
// the benchmark's time.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <bool kDyn, int W, class V>
PW_HD inline void solve_group(const PhysicsModel& M, const V& L, const int32_t* first, const int32_t* end, int nm,
                              double inv_h, double elapsed, bool use_bias, const Softness& soft) {
  constexpr int P = kManifoldPoints;
  const PhysicsState& s = L.s;
  const double max_push = M.p.max_push_velocity;
  // Entries m >= nm are idle (done, no points): the loops over m run to the constant W, so
  // the compiler unrolls them and keeps each manifold's velocities in registers.
  int32_t a[W] = {}, b[W] = {};
  int np[W] = {};
  bool done[W];
  for (int m = 0; m < W; ++m) done[m] = m >= nm;
  // Only the first nm entries are set and read (the idle ones are done and have no points).
  Vec3 va[W], wa[W], vb[W], wb[W], n[W];
  double ma[W], mb[W], un[W], total[W];
  // The rows' constants for this substep.
  Vec3 can[W][P], cbn[W][P], ian[W][P], ibn[W][P];
  double bias[W][P], mass_scale[W][P], impulse_scale[W][P], jn[W][P], jmax[W][P];
  int npmax = 0;
  for (int m = 0; m < nm; ++m) {
    const int32_t i = first[m];
    a[m] = s.ct_a[L.at(i)];
    b[m] = s.ct_b[L.at(i)];
    np[m] = end[m] - i;
    npmax = np[m] > npmax ? np[m] : npmax;
    va[m] = L.get3(s.vel, a[m]);
    wa[m] = L.get3(s.angvel, a[m]);
    ma[m] = s.inv_mass[L.at(a[m])];
    n[m] = L.get3(s.ct_n, i);
    const Vec3 nla = mul_t(rotation(L.getq(a[m])), n[m]);  // n in A's body frame
    Vec3 nlb{0, 0, 0};
    mb[m] = 0;
    wb[m] = Vec3{0, 0, 0};
    // n . (xb - xa) without the anchors' terms.
    double gap = -dot(L.get3(s.pos, a[m]), n[m]);
    if (kDyn) {
      vb[m] = L.get3(s.vel, b[m]);
      wb[m] = L.get3(s.angvel, b[m]);
      mb[m] = s.inv_mass[L.at(b[m])];
      nlb = mul_t(rotation(L.getq(b[m])), n[m]);
      gap += dot(L.get3(s.pos, b[m]), n[m]);
    } else {
      vb[m] = L.get3(s.ct_vb, i);  // the static side's velocity: one per manifold
      gap += elapsed * dot(vb[m], n[m]);
    }
    for (int k = 0; k < np[m]; ++k) {
      const int32_t c = i + k;
      can[m][k] = L.get3(s.ct_can, c);
      ian[m][k] = L.get3(s.ct_ian, c);
      double sep = s.ct_sep[L.at(c)] + gap - dot(L.get3(s.ct_la, c), nla);
      if (kDyn) {
        cbn[m][k] = L.get3(s.ct_cbn, c);
        ibn[m][k] = L.get3(s.ct_ibn, c);
        sep += dot(L.get3(s.ct_lb, c), nlb);
      } else {
        sep += dot(L.get3(s.ct_lb, c), n[m]);  // the world point
      }
      double scale = 1;
      bias[m][k] = 0;
      impulse_scale[m][k] = 0;
      if (sep > 0) {
        bias[m][k] = sep * inv_h;  // speculative: may close the gap, no more
      } else if (use_bias) {
        bias[m][k] = dmax(soft.bias_rate * sep, -max_push);
        scale = soft.mass_scale;
        impulse_scale[m][k] = soft.impulse_scale;
      }
      mass_scale[m][k] = -s.ct_mn[L.at(c)] * scale;  // -m_n * mass_scale, folded once per call
      jn[m][k] = s.ct_jn[L.at(c)];
      jmax[m][k] = s.ct_jmax[L.at(c)];
    }
    un[m] = dot(vb[m] - va[m], n[m]);
    total[m] = 0;
  }
  // The normal rows, swept until they settle (each manifold on its own count).
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double largest[W], change[W];
    for (int m = 0; m < W; ++m) largest[m] = change[m] = 0;
    for (int k = 0; k < npmax; ++k) {
      for (int m = 0; m < W; ++m) {
        if (done[m] || k >= np[m]) continue;
        // Relative normal velocity of B's anchor to A's: n.(vb - va) + wb.(rb x n) - wa.(ra x n).
        double vn = kDyn ? un[m] + dot(wb[m], cbn[m][k]) - dot(wa[m], can[m][k]) : un[m] - dot(wa[m], can[m][k]);
        double dj = mass_scale[m][k] * (vn + bias[m][k]) - impulse_scale[m][k] * jn[m][k];
        double nj = dmax(jn[m][k] + dj, 0.0);
        dj = nj - jn[m][k];
        jn[m][k] = nj;
        jmax[m][k] = nj > jmax[m][k] ? nj : jmax[m][k];
        total[m] += dj;
        un[m] += (ma[m] + mb[m]) * dj;
        wa[m] -= dj * ian[m][k];
        if (kDyn) wb[m] += dj * ibn[m][k];
        largest[m] = dmax(largest[m], nj);
        change[m] = dmax(change[m], dabs(dj));
      }
    }
    bool all = true;
    for (int m = 0; m < W; ++m) {
      if (!done[m] && (np[m] == 1 || change[m] <= kSettled * largest[m])) done[m] = true;
      all = all && done[m];
    }
    if (all) break;
  }
  // The friction rows with the fresh normal impulses, in the manifold's frame as the normal
  // rows: the relative tangential velocity of B's anchor to A's along t1 is
  //   u1 + wb . (rb x t1) - wa . (ra x t1),  u1 = t1 . (vb - va)
  // (static B: vb is the velocity friction aims for, the belt's included), and an impulse
  // d1 t1 + d2 t2 changes u1 by (ma + mb) d1 and the angular velocities through the step's
  // constants I^-1 (r x t); the linear velocities take the summed impulse after the sweep.
  Vec3 t1[W], t2[W];
  double u1[W], u2[W], d1sum[W], d2sum[W];
  for (int m = 0; m < nm; ++m) {
    const int32_t i = first[m];
    va[m] -= (ma[m] * total[m]) * n[m];
    if (kDyn) vb[m] += (mb[m] * total[m]) * n[m];
    t1[m] = L.get3(s.ct_t1, i);
    t2[m] = L.get3(s.ct_t2, i);
    const Vec3 rel = (kDyn ? vb[m] : L.get3(s.ct_vs, i)) - va[m];
    u1[m] = dot(rel, t1[m]);
    u2[m] = dot(rel, t2[m]);
    d1sum[m] = d2sum[m] = 0;
  }
  for (int k = 0; k < npmax; ++k) {
    for (int m = 0; m < W; ++m) {
      if (k >= np[m]) continue;
      const int32_t c = first[m] + k;
      s.ct_jn[L.at(c)] = jn[m][k];
      s.ct_jmax[L.at(c)] = jmax[m][k];
      const Vec3 rat1 = L.get3(s.ct_rat, 2 * c), rat2 = L.get3(s.ct_rat, 2 * c + 1);
      double v1 = u1[m] - dot(wa[m], rat1), v2 = u2[m] - dot(wa[m], rat2);
      Vec3 rbt1, rbt2;
      if (kDyn) {
        rbt1 = L.get3(s.ct_rbt, 2 * c);
        rbt2 = L.get3(s.ct_rbt, 2 * c + 1);
        v1 += dot(wb[m], rbt1);
        v2 += dot(wb[m], rbt2);
      }
      double& j1 = s.ct_jt1[L.at(c)];
      double& j2 = s.ct_jt2[L.at(c)];
      double n1 = j1 - s.ct_mt1[L.at(c)] * v1;
      double n2 = j2 - s.ct_mt2[L.at(c)] * v2;
      double lim = s.ct_mu[L.at(c)] * jn[m][k];
      double len2 = n1 * n1 + n2 * n2;
      if (len2 > lim * lim) {  // Coulomb: the friction impulse stays inside a disc
        double f = lim / ::sqrt(len2);
        n1 *= f;
        n2 *= f;
      }
      const double d1 = n1 - j1, d2 = n2 - j2;
      j1 = n1;
      j2 = n2;
      d1sum[m] += d1;
      d2sum[m] += d2;
      u1[m] += (ma[m] + mb[m]) * d1;
      u2[m] += (ma[m] + mb[m]) * d2;
      wa[m] -= d1 * L.get3(s.ct_iat, 2 * c) + d2 * L.get3(s.ct_iat, 2 * c + 1);
      if (kDyn) wb[m] += d1 * L.get3(s.ct_ibt, 2 * c) + d2 * L.get3(s.ct_ibt, 2 * c + 1);
    }
  }
  for (int m = 0; m < nm; ++m) {
    const Vec3 P = d1sum[m] * t1[m] + d2sum[m] * t2[m];
    va[m] -= ma[m] * P;
    if (kDyn) vb[m] += mb[m] * P;
    L.set3(s.vel, a[m], va[m]);
    L.set3(s.angvel, a[m], wa[m]);
    if (kDyn) {
      L.set3(s.vel, b[m], vb[m]);
      L.set3(s.angvel, b[m], wb[m]);
    }
  }
}

#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC diagnostic pop
#endif

// One Gauss-Seidel pass over the contacts, manifold by manifold: the normal rows, then the
// friction rows with the fresh normal impulses. `elapsed`: time since the step's start of
// the current positions; use_bias false is the relax pass (no position feedback).
// Consecutive manifolds of the same kind that share no dynamic body are solved as a group of
// up to V::kSolverWidth (the result is the same as one after the other).
template <class V>
PW_HD inline void solve_contacts(const PhysicsModel& M, const V& L, double inv_h, double elapsed,
                                 bool use_bias, const Softness& soft_dynamic, const Softness& soft_static) {
  constexpr int W = V::kSolverWidth;
  const PhysicsState& s = L.s;
  const int32_t count = s.ct_count[L.lane()];
  for (int32_t i = 0; i < count;) {
    const bool dyn = s.ct_b[L.at(i)] >= 0;
    int32_t first[W], end[W], bodies[2 * W];
    int nm = 0, nb = 0;
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
      j = end[nm++];
    }
    if (dyn)
      solve_group<true, W>(M, L, first, end, nm, inv_h, elapsed, use_bias, soft_dynamic);
    else
      solve_group<false, W>(M, L, first, end, nm, inv_h, elapsed, use_bias, soft_static);
    i = j;
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
