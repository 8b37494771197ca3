// Small 3-D vector, quaternion and matrix math for the physics kernel, in double precision.
// Only + - * / and sqrt appear here: both backends round those identically (host built with
// -ffp-contract=off, device with --fmad=false), which is what keeps cpu and cuda runs
// bit-identical. No transcendental function may be added; tables of constants instead.
#pragma once
#include <cmath>

#include "kernels/common/hd.h"

namespace plantwin::phys {

struct Vec3 {
  double x, y, z;
};

PW_HD PW_FORCEINLINE Vec3 v3(double x, double y, double z) { return Vec3{x, y, z}; }
PW_HD PW_FORCEINLINE Vec3 operator+(Vec3 a, Vec3 b) { return Vec3{a.x + b.x, a.y + b.y, a.z + b.z}; }
PW_HD PW_FORCEINLINE Vec3 operator-(Vec3 a, Vec3 b) { return Vec3{a.x - b.x, a.y - b.y, a.z - b.z}; }
PW_HD PW_FORCEINLINE Vec3 operator-(Vec3 a) { return Vec3{-a.x, -a.y, -a.z}; }
PW_HD PW_FORCEINLINE Vec3 operator*(double s, Vec3 a) { return Vec3{s * a.x, s * a.y, s * a.z}; }
PW_HD PW_FORCEINLINE Vec3& operator+=(Vec3& a, Vec3 b) { a = a + b; return a; }
PW_HD PW_FORCEINLINE Vec3& operator-=(Vec3& a, Vec3 b) { a = a - b; return a; }
PW_HD PW_FORCEINLINE double dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
PW_HD PW_FORCEINLINE Vec3 cross(Vec3 a, Vec3 b) {
  return Vec3{a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
PW_HD PW_FORCEINLINE double length_sq(Vec3 a) { return dot(a, a); }
PW_HD PW_FORCEINLINE double length(Vec3 a) { return ::sqrt(dot(a, a)); }
PW_HD PW_FORCEINLINE double dmin(double a, double b) { return a < b ? a : b; }
PW_HD PW_FORCEINLINE double dmax(double a, double b) { return a > b ? a : b; }
PW_HD PW_FORCEINLINE double dabs(double a) { return a < 0 ? -a : a; }
PW_HD PW_FORCEINLINE Vec3 vabs(Vec3 a) { return Vec3{dabs(a.x), dabs(a.y), dabs(a.z)}; }
// a + s * b, spelled out so the rounding is the same everywhere (no fused multiply-add).
PW_HD PW_FORCEINLINE Vec3 mul_add(Vec3 a, double s, Vec3 b) { return a + s * b; }

// a / |a|, or `fallback` when a is (nearly) zero.
PW_HD inline Vec3 normalize_or(Vec3 a, Vec3 fallback) {
  double l2 = dot(a, a);
  if (!(l2 > 1e-30)) return fallback;
  double inv = 1.0 / ::sqrt(l2);
  return inv * a;
}

// Two unit vectors completing n (unit) to a right-handed orthonormal basis (t1, t2, n):
// t2 = n x t1. Branches on the smallest component only, so it is deterministic.
PW_HD inline void tangent_basis(Vec3 n, Vec3& t1, Vec3& t2) {
  Vec3 a = dabs(n.x) < 0.57735 ? Vec3{1, 0, 0} : (dabs(n.y) < 0.57735 ? Vec3{0, 1, 0} : Vec3{0, 0, 1});
  t1 = normalize_or(a - dot(a, n) * n, Vec3{1, 0, 0});
  t2 = cross(n, t1);
}

// Unit quaternion w + (x, y, z): the rotation of a body frame into the world frame.
struct Quat {
  double w, x, y, z;
};

PW_HD PW_FORCEINLINE Quat qmul(Quat a, Quat b) {
  return Quat{a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
              a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}

PW_HD inline Quat qnormalize(Quat q) {
  double n2 = q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z;
  double inv = 1.0 / ::sqrt(n2);
  return Quat{q.w * inv, q.x * inv, q.y * inv, q.z * inv};
}

// q advanced by angular velocity w (world frame) over h: q + h/2 (0, w) q, renormalised.
// First order, which is what a substep of a fraction of a millisecond needs.
PW_HD inline Quat qintegrate(Quat q, Vec3 w, double h) {
  Quat dq = qmul(Quat{0, w.x, w.y, w.z}, q);
  double s = 0.5 * h;
  return qnormalize(Quat{q.w + s * dq.w, q.x + s * dq.x, q.y + s * dq.y, q.z + s * dq.z});
}

// v rotated by the unit quaternion q: v + w t + u x t with t = 2 u x v.
PW_HD inline Vec3 rotate(Quat q, Vec3 v) {
  Vec3 u{q.x, q.y, q.z};
  Vec3 t = 2.0 * cross(u, v);
  return v + q.w * t + cross(u, t);
}

// Row-major 3x3 matrix.
struct Mat3 {
  Vec3 r0, r1, r2;
};

PW_HD PW_FORCEINLINE Vec3 mul(const Mat3& m, Vec3 v) { return Vec3{dot(m.r0, v), dot(m.r1, v), dot(m.r2, v)}; }
// m^T v.
PW_HD PW_FORCEINLINE Vec3 mul_t(const Mat3& m, Vec3 v) {
  return Vec3{m.r0.x * v.x + m.r1.x * v.y + m.r2.x * v.z, m.r0.y * v.x + m.r1.y * v.y + m.r2.y * v.z,
              m.r0.z * v.x + m.r1.z * v.y + m.r2.z * v.z};
}
PW_HD PW_FORCEINLINE Vec3 col(const Mat3& m, int k) {
  return k == 0 ? Vec3{m.r0.x, m.r1.x, m.r2.x} : (k == 1 ? Vec3{m.r0.y, m.r1.y, m.r2.y} : Vec3{m.r0.z, m.r1.z, m.r2.z});
}

// The rotation matrix of a unit quaternion.
PW_HD inline Mat3 rotation(Quat q) {
  double xx = q.x * q.x, yy = q.y * q.y, zz = q.z * q.z;
  double xy = q.x * q.y, xz = q.x * q.z, yz = q.y * q.z;
  double wx = q.w * q.x, wy = q.w * q.y, wz = q.w * q.z;
  return Mat3{Vec3{1 - 2 * (yy + zz), 2 * (xy - wz), 2 * (xz + wy)},
              Vec3{2 * (xy + wz), 1 - 2 * (xx + zz), 2 * (yz - wx)},
              Vec3{2 * (xz - wy), 2 * (yz + wx), 1 - 2 * (xx + yy)}};
}

// Symmetric 3x3 matrix (world inverse inertia): xx, yy, zz, xy, xz, yz.
struct Sym3 {
  double xx, yy, zz, xy, xz, yz;
};

PW_HD PW_FORCEINLINE Vec3 mul(const Sym3& m, Vec3 v) {
  return Vec3{m.xx * v.x + m.xy * v.y + m.xz * v.z, m.xy * v.x + m.yy * v.y + m.yz * v.z,
              m.xz * v.x + m.yz * v.y + m.zz * v.z};
}

// R diag(d) R^T: a body-frame diagonal inertia (or its inverse) seen in the world frame.
PW_HD inline Sym3 rotate_diag(const Mat3& R, Vec3 d) {
  Vec3 a = R.r0, b = R.r1, c = R.r2;
  return Sym3{a.x * a.x * d.x + a.y * a.y * d.y + a.z * a.z * d.z,
              b.x * b.x * d.x + b.y * b.y * d.y + b.z * b.z * d.z,
              c.x * c.x * d.x + c.y * c.y * d.y + c.z * c.z * d.z,
              a.x * b.x * d.x + a.y * b.y * d.y + a.z * b.z * d.z,
              a.x * c.x * d.x + a.y * c.y * d.y + a.z * c.z * d.z,
              b.x * c.x * d.x + b.y * c.y * d.y + b.z * c.z * d.z};
}

constexpr double kPi = 3.14159265358979323846;

}  // namespace plantwin::phys
