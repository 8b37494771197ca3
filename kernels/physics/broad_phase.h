// Broad phase, per lane: which pairs the narrow phase looks at.
//
// Dynamic-dynamic: sort and sweep on x. The bodies' order by AABB min x is kept between steps
// and re-sorted by insertion sort, which is nearly linear because bodies move little per step
// and deterministic because ties go to the lower body index. Inactive bodies sort last.
// Dynamic-static: each body's AABB against every static box's (a conveyor line has few).
// AABBs carry the speculative distance, so every pair that can touch within it is seen.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/hull.h"
#include "kernels/physics/physics_state.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

constexpr double kInactiveKey = 1e300;  // AABB min x of inactive bodies: they sort last

template <class V>
PW_HD inline void update_aabbs(const PhysicsModel& M, const V& L) {
  const PhysicsState& s = L.s;
  const double margin = M.p.speculative;
  for (int32_t b = 0; b < M.p.bodies; ++b) {
    if (!s.active[L.at(b)]) {
      s.aabb[L.at(6 * b)] = kInactiveKey;
      continue;
    }
    Vec3 c = L.get3(s.pos, b);
    Vec3 e = hull_extent(L.getR(b), L.get3(s.half, b)) + Vec3{margin, margin, margin};
    Vec3 lo = c - e, hi = c + e;
    s.aabb[L.at(6 * b)] = lo.x;
    s.aabb[L.at(6 * b + 1)] = lo.y;
    s.aabb[L.at(6 * b + 2)] = lo.z;
    s.aabb[L.at(6 * b + 3)] = hi.x;
    s.aabb[L.at(6 * b + 4)] = hi.y;
    s.aabb[L.at(6 * b + 5)] = hi.z;
  }
}

// Insertion sort of the kept order by (min x, body index).
template <class V>
PW_HD inline void sort_bodies(const PhysicsModel& M, const V& L) {
  const PhysicsState& s = L.s;
  for (int32_t i = 1; i < M.p.bodies; ++i) {
    int32_t b = s.order[L.at(i)];
    double key = s.aabb[L.at(6 * b)];
    int32_t j = i - 1;
    while (j >= 0) {
      int32_t o = s.order[L.at(j)];
      double ko = s.aabb[L.at(6 * o)];
      if (ko < key || (ko == key && o < b)) break;
      s.order[L.at(j + 1)] = o;
      --j;
    }
    s.order[L.at(j + 1)] = b;
  }
}

template <class V>
PW_HD PW_FORCEINLINE bool aabb_overlap_yz(const V& L, int32_t a, int32_t b) {
  const double* f = L.s.aabb;
  return f[L.at(6 * a + 1)] <= f[L.at(6 * b + 4)] && f[L.at(6 * b + 1)] <= f[L.at(6 * a + 4)] &&
         f[L.at(6 * a + 2)] <= f[L.at(6 * b + 5)] && f[L.at(6 * b + 2)] <= f[L.at(6 * a + 5)];
}

// Calls visit(a, b) with a < b for every overlapping pair of active bodies, in sweep order.
template <class Visit, class V>
PW_HD inline void sweep_pairs(const PhysicsModel& M, const V& L, Visit& visit) {
  const PhysicsState& s = L.s;
  const int32_t n = M.p.bodies;
  for (int32_t i = 0; i < n; ++i) {
    int32_t a = s.order[L.at(i)];
    double amin = s.aabb[L.at(6 * a)];
    if (amin >= kInactiveKey) break;
    double amax = s.aabb[L.at(6 * a + 3)];
    for (int32_t j = i + 1; j < n; ++j) {
      int32_t b = s.order[L.at(j)];
      if (s.aabb[L.at(6 * b)] > amax) break;
      if (aabb_overlap_yz(L, a, b)) visit(a < b ? a : b, a < b ? b : a);
    }
  }
}

// Body b's AABB, read once for its tests against every static box.
struct Aabb {
  Vec3 lo, hi;
};
template <class V>
PW_HD PW_FORCEINLINE Aabb body_aabb(const V& L, int32_t b) {
  const double* f = L.s.aabb;
  return Aabb{Vec3{f[L.at(6 * b)], f[L.at(6 * b + 1)], f[L.at(6 * b + 2)]},
              Vec3{f[L.at(6 * b + 3)], f[L.at(6 * b + 4)], f[L.at(6 * b + 5)]}};
}

// Does the AABB overlap the static box centred at c with AABB half widths e?
PW_HD PW_FORCEINLINE bool aabb_overlap_static(const Aabb& box, Vec3 c, Vec3 e) {
  return box.lo.x <= c.x + e.x && c.x - e.x <= box.hi.x && box.lo.y <= c.y + e.y && c.y - e.y <= box.hi.y &&
         box.lo.z <= c.z + e.z && c.z - e.z <= box.hi.z;
}

}  // namespace plantwin::phys
