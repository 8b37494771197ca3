// Packs of W doubles for the contact solver's side-by-side manifolds (contact_solver.h):
// element m belongs to manifold m of a group. Every operation is the scalar operation on each
// element -- + - * / and sqrt, correctly rounded, and max/select exactly as `a > b ? a : b`
// -- so element m holds bit for bit what the scalar code computes for manifold m alone. That
// is what keeps the cpu (W = 4) and cuda (W = 1) backends identical.
//
// Why: with the manifolds' values in one register the processor runs their serial
// Gauss-Seidel chains in the same instructions instead of relying on out-of-order execution
// to overlap four copies of a long chain. The generic version is plain loops (W = 1 on the
// device is a double); on an x86-64 host, W = 4 is two SSE2 registers, the baseline of the
// architecture (no build flag, so results never depend on the build machine); a group of
// one or two manifolds is solved with packs of 1 or 2 (the first elements of its slots).
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/common/hd.h"

#if defined(__SSE2__) && !defined(__CUDACC__)
#include <emmintrin.h>
#define PW_PACK_SSE2 1
#endif

namespace plantwin::phys {

template <int W>
struct Pack {
  double v[W];
  PW_HD PW_FORCEINLINE static Pack splat(double x) {
    Pack p;
    for (int m = 0; m < W; ++m) p.v[m] = x;
    return p;
  }
  PW_HD PW_FORCEINLINE static Pack load(const double* p) {
    Pack r;
    for (int m = 0; m < W; ++m) r.v[m] = p[m];
    return r;
  }
  PW_HD PW_FORCEINLINE void store(double* p) const {
    for (int m = 0; m < W; ++m) p[m] = v[m];
  }
};

// Per-element truth values of packs.
template <int W>
struct PackMask {
  bool b[W];
};

#define PW_PACK_BINARY(op)                                                              \
  template <int W>                                                                      \
  PW_HD PW_FORCEINLINE Pack<W> operator op(const Pack<W>& a, const Pack<W>& b) {        \
    Pack<W> r;                                                                          \
    for (int m = 0; m < W; ++m) r.v[m] = a.v[m] op b.v[m];                              \
    return r;                                                                           \
  }
PW_PACK_BINARY(+)
PW_PACK_BINARY(-)
PW_PACK_BINARY(*)
PW_PACK_BINARY(/)
#undef PW_PACK_BINARY

// -a per element (the sign flipped, as the scalar unary minus).
template <int W>
PW_HD PW_FORCEINLINE Pack<W> operator-(const Pack<W>& a) {
  Pack<W> r;
  for (int m = 0; m < W; ++m) r.v[m] = -a.v[m];
  return r;
}
// a > b ? a : b per element.
template <int W>
PW_HD PW_FORCEINLINE Pack<W> pmax(const Pack<W>& a, const Pack<W>& b) {
  Pack<W> r;
  for (int m = 0; m < W; ++m) r.v[m] = a.v[m] > b.v[m] ? a.v[m] : b.v[m];
  return r;
}
// a < 0 ? -a : a per element.
template <int W>
PW_HD PW_FORCEINLINE Pack<W> pabs(const Pack<W>& a) {
  Pack<W> r;
  for (int m = 0; m < W; ++m) r.v[m] = a.v[m] < 0 ? -a.v[m] : a.v[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE Pack<W> psqrt(const Pack<W>& a) {
  Pack<W> r;
  for (int m = 0; m < W; ++m) r.v[m] = ::sqrt(a.v[m]);
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE PackMask<W> operator>(const Pack<W>& a, const Pack<W>& b) {
  PackMask<W> r;
  for (int m = 0; m < W; ++m) r.b[m] = a.v[m] > b.v[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE PackMask<W> operator<=(const Pack<W>& a, const Pack<W>& b) {
  PackMask<W> r;
  for (int m = 0; m < W; ++m) r.b[m] = a.v[m] <= b.v[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE PackMask<W> operator&(const PackMask<W>& a, const PackMask<W>& b) {
  PackMask<W> r;
  for (int m = 0; m < W; ++m) r.b[m] = a.b[m] && b.b[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE PackMask<W> operator|(const PackMask<W>& a, const PackMask<W>& b) {
  PackMask<W> r;
  for (int m = 0; m < W; ++m) r.b[m] = a.b[m] || b.b[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE PackMask<W> operator~(const PackMask<W>& a) {
  PackMask<W> r;
  for (int m = 0; m < W; ++m) r.b[m] = !a.b[m];
  return r;
}
// c ? a : b per element.
template <int W>
PW_HD PW_FORCEINLINE Pack<W> select(const PackMask<W>& c, const Pack<W>& a, const Pack<W>& b) {
  Pack<W> r;
  for (int m = 0; m < W; ++m) r.v[m] = c.b[m] ? a.v[m] : b.v[m];
  return r;
}
template <int W>
PW_HD PW_FORCEINLINE bool all(const PackMask<W>& a) {
  bool r = true;
  for (int m = 0; m < W; ++m) r = r && a.b[m];
  return r;
}

#if defined(PW_PACK_SSE2)
// Two doubles in one SSE2 register (a group of two manifolds).
template <>
struct Pack<2> {
  __m128d v;
  PW_FORCEINLINE static Pack splat(double x) { return Pack{_mm_set1_pd(x)}; }
  PW_FORCEINLINE static Pack load(const double* p) { return Pack{_mm_loadu_pd(p)}; }
  PW_FORCEINLINE void store(double* p) const { _mm_storeu_pd(p, v); }
};
template <>
struct PackMask<2> {
  __m128d v;  // all bits set where true
};
PW_FORCEINLINE Pack<2> operator+(const Pack<2>& a, const Pack<2>& b) { return {_mm_add_pd(a.v, b.v)}; }
PW_FORCEINLINE Pack<2> operator-(const Pack<2>& a, const Pack<2>& b) { return {_mm_sub_pd(a.v, b.v)}; }
PW_FORCEINLINE Pack<2> operator*(const Pack<2>& a, const Pack<2>& b) { return {_mm_mul_pd(a.v, b.v)}; }
PW_FORCEINLINE Pack<2> operator/(const Pack<2>& a, const Pack<2>& b) { return {_mm_div_pd(a.v, b.v)}; }
PW_FORCEINLINE Pack<2> operator-(const Pack<2>& a) { return {_mm_xor_pd(a.v, _mm_set1_pd(-0.0))}; }
template <>
PW_FORCEINLINE Pack<2> pmax(const Pack<2>& a, const Pack<2>& b) { return {_mm_max_pd(a.v, b.v)}; }
template <>
PW_FORCEINLINE Pack<2> psqrt(const Pack<2>& a) { return {_mm_sqrt_pd(a.v)}; }
template <>
PW_FORCEINLINE PackMask<2> operator>(const Pack<2>& a, const Pack<2>& b) { return {_mm_cmpgt_pd(a.v, b.v)}; }
template <>
PW_FORCEINLINE PackMask<2> operator<=(const Pack<2>& a, const Pack<2>& b) { return {_mm_cmple_pd(a.v, b.v)}; }
template <>
PW_FORCEINLINE PackMask<2> operator&(const PackMask<2>& a, const PackMask<2>& b) { return {_mm_and_pd(a.v, b.v)}; }
template <>
PW_FORCEINLINE PackMask<2> operator|(const PackMask<2>& a, const PackMask<2>& b) { return {_mm_or_pd(a.v, b.v)}; }
template <>
PW_FORCEINLINE PackMask<2> operator~(const PackMask<2>& a) {
  return {_mm_xor_pd(a.v, _mm_castsi128_pd(_mm_set1_epi32(-1)))};
}
template <>
PW_FORCEINLINE Pack<2> select(const PackMask<2>& c, const Pack<2>& a, const Pack<2>& b) {
  return {_mm_or_pd(_mm_and_pd(c.v, a.v), _mm_andnot_pd(c.v, b.v))};
}
template <>
PW_FORCEINLINE Pack<2> pabs(const Pack<2>& a) {
  const Pack<2> zero = Pack<2>::splat(0.0);
  return select(zero > a, zero - a, a);  // 0 - a is -a exactly where a < 0
}
template <>
PW_FORCEINLINE bool all(const PackMask<2>& a) { return _mm_movemask_pd(a.v) == 3; }

// Four doubles in two SSE2 registers. MAXPD returns its second operand unless the first is
// greater, which is `a > b ? a : b` exactly (NaNs and signed zeros included).
template <>
struct Pack<4> {
  __m128d lo, hi;
  PW_FORCEINLINE static Pack splat(double x) { return Pack{_mm_set1_pd(x), _mm_set1_pd(x)}; }
  PW_FORCEINLINE static Pack load(const double* p) { return Pack{_mm_loadu_pd(p), _mm_loadu_pd(p + 2)}; }
  PW_FORCEINLINE void store(double* p) const {
    _mm_storeu_pd(p, lo);
    _mm_storeu_pd(p + 2, hi);
  }
};
template <>
struct PackMask<4> {
  __m128d lo, hi;  // all bits set where true
};
PW_FORCEINLINE Pack<4> operator+(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_add_pd(a.lo, b.lo), _mm_add_pd(a.hi, b.hi)};
}
PW_FORCEINLINE Pack<4> operator-(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_sub_pd(a.lo, b.lo), _mm_sub_pd(a.hi, b.hi)};
}
PW_FORCEINLINE Pack<4> operator*(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_mul_pd(a.lo, b.lo), _mm_mul_pd(a.hi, b.hi)};
}
PW_FORCEINLINE Pack<4> operator/(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_div_pd(a.lo, b.lo), _mm_div_pd(a.hi, b.hi)};
}
PW_FORCEINLINE Pack<4> operator-(const Pack<4>& a) {
  const __m128d sign = _mm_set1_pd(-0.0);
  return {_mm_xor_pd(a.lo, sign), _mm_xor_pd(a.hi, sign)};
}
template <>
PW_FORCEINLINE Pack<4> pmax(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_max_pd(a.lo, b.lo), _mm_max_pd(a.hi, b.hi)};
}
template <>
PW_FORCEINLINE Pack<4> psqrt(const Pack<4>& a) {
  return {_mm_sqrt_pd(a.lo), _mm_sqrt_pd(a.hi)};
}
template <>
PW_FORCEINLINE PackMask<4> operator>(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_cmpgt_pd(a.lo, b.lo), _mm_cmpgt_pd(a.hi, b.hi)};
}
template <>
PW_FORCEINLINE PackMask<4> operator<=(const Pack<4>& a, const Pack<4>& b) {
  return {_mm_cmple_pd(a.lo, b.lo), _mm_cmple_pd(a.hi, b.hi)};
}
template <>
PW_FORCEINLINE PackMask<4> operator&(const PackMask<4>& a, const PackMask<4>& b) {
  return {_mm_and_pd(a.lo, b.lo), _mm_and_pd(a.hi, b.hi)};
}
template <>
PW_FORCEINLINE PackMask<4> operator|(const PackMask<4>& a, const PackMask<4>& b) {
  return {_mm_or_pd(a.lo, b.lo), _mm_or_pd(a.hi, b.hi)};
}
template <>
PW_FORCEINLINE PackMask<4> operator~(const PackMask<4>& a) {
  const __m128d ones = _mm_castsi128_pd(_mm_set1_epi32(-1));
  return {_mm_xor_pd(a.lo, ones), _mm_xor_pd(a.hi, ones)};
}
template <>
PW_FORCEINLINE Pack<4> select(const PackMask<4>& c, const Pack<4>& a, const Pack<4>& b) {
  return {_mm_or_pd(_mm_and_pd(c.lo, a.lo), _mm_andnot_pd(c.lo, b.lo)),
          _mm_or_pd(_mm_and_pd(c.hi, a.hi), _mm_andnot_pd(c.hi, b.hi))};
}
template <>
PW_FORCEINLINE Pack<4> pabs(const Pack<4>& a) {
  const Pack<4> zero = Pack<4>::splat(0.0);
  return select(zero > a, zero - a, a);  // 0 - a is -a exactly where a < 0
}
template <>
PW_FORCEINLINE bool all(const PackMask<4>& a) {
  return (_mm_movemask_pd(a.lo) & _mm_movemask_pd(a.hi)) == 3;
}
#endif

// A Vec3 per element.
template <int W>
struct Pack3 {
  Pack<W> x, y, z;
};
template <int W>
PW_HD PW_FORCEINLINE Pack<W> dot(const Pack3<W>& a, const Pack3<W>& b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> operator*(const Pack<W>& s, const Pack3<W>& a) {
  return {s * a.x, s * a.y, s * a.z};
}
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> operator+(const Pack3<W>& a, const Pack3<W>& b) {
  return {a.x + b.x, a.y + b.y, a.z + b.z};
}
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> operator-(const Pack3<W>& a, const Pack3<W>& b) {
  return {a.x - b.x, a.y - b.y, a.z - b.z};
}
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> cross(const Pack3<W>& a, const Pack3<W>& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
// A symmetric 3x3 matrix per element (xx, yy, zz, xy, xz, yz) times a vector: the products
// and sums of vec_math's mul(Sym3, Vec3), in its order.
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> mul_sym(const Pack<W>* m, const Pack3<W>& v) {
  return {m[0] * v.x + m[3] * v.y + m[4] * v.z, m[3] * v.x + m[1] * v.y + m[5] * v.z,
          m[4] * v.x + m[5] * v.y + m[2] * v.z};
}
template <int W>
PW_HD PW_FORCEINLINE void store3(const Pack3<W>& a, double (*g)[W]) {
  a.x.store(g[0]);
  a.y.store(g[1]);
  a.z.store(g[2]);
}
// Loads element m of each coordinate from g[coordinate][m].
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> load3(const double (*g)[W]) {
  return {Pack<W>::load(g[0]), Pack<W>::load(g[1]), Pack<W>::load(g[2])};
}
template <int W>
PW_HD PW_FORCEINLINE Pack3<W> select(const PackMask<W>& c, const Pack3<W>& a, const Pack3<W>& b) {
  return {select(c, a.x, b.x), select(c, a.y, b.y), select(c, a.z, b.z)};
}

}  // namespace plantwin::phys
