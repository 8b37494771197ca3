// Boxes and cylinders as convex polyhedra, for the narrow phase (kernels/physics/collide.h).
//
// A cylinder of radius r and half height hh around its local z axis is approximated by a
// regular 16-gon prism whose 32 vertices lie on the true cylinder's rims (angles k * pi/8), so
// its side faces sit up to r (1 - cos(pi/16)) = 1.9 % of r inside the true surface. Mass and
// inertia stay the true cylinder's (set on the host). Features, all in the body frame:
//   box:   vertices i = 0..7 at (+-hx, +-hy, +-hz) (bit k of i set: + on axis k); faces 2a (+a)
//          and 2a+1 (-a); edges 4a..4a+3 along axis a; edge directions 0..2 (the axes).
//   prism: vertices k (bottom, z = -hh) and 16 + k (top) at angle k pi/8; faces 0..15 the
//          sides (outward normal at angle (2k+1) pi/16), 16 the top, 17 the bottom; edges 0..15
//          vertical, 16..31 bottom rim, 32..47 top rim; edge directions 0 (z) and 1..8 (rim
//          tangents; rim edges k and k+8 are antiparallel).
// Face vertices run counter-clockwise seen from outside (the clipper relies on it).
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/physics_state.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

constexpr int kPrismSides = 16;
constexpr int kMaxHullVertices = 32;
constexpr int kMaxFaceVertices = 16;
constexpr int kMaxHullFaces = kPrismSides + 2;

// cos(j pi / 16) for any integer j, from a table of the first quadrant: constants instead of
// libm's cos keep both backends bit-identical.
PW_HD inline double cos16(int j) {
  j &= 31;
  double c = 0;
  int q = j <= 8 ? j : (j <= 16 ? 16 - j : (j <= 24 ? j - 16 : 32 - j));
  switch (q) {
    case 0: c = 1.0; break;
    case 1: c = 0.98078528040323044913; break;
    case 2: c = 0.92387953251128675613; break;
    case 3: c = 0.83146961230254523708; break;
    case 4: c = 0.70710678118654752440; break;
    case 5: c = 0.55557023301960222474; break;
    case 6: c = 0.38268343236508977173; break;
    case 7: c = 0.19509032201612826785; break;
    default: c = 0.0; break;
  }
  return (j > 8 && j < 24) ? -c : c;
}
PW_HD PW_FORCEINLINE double sin16(int j) { return cos16(j - 8); }

// A hull placed in the world: its shape and pose. World vertices are formed when asked for:
// the separating-axis test needs none (extent() is in closed form), and the clipper only a
// face's few, so a prism's 32 are never all computed for a side contact.
struct Hull {
  int32_t shape;
  Vec3 c;
  Mat3 R;  // body -> world
  Vec3 h;  // box: half extents; prism: radius, radius, half height
  int32_t nv;

  PW_HD int faces() const { return shape == kShapeBox ? 6 : kPrismSides + 2; }
  // The face whose normal is face f's negated, at the same distance from the centre.
  PW_HD int opposite_face(int f) const {
    if (shape == kShapeBox || f >= kPrismSides) return f ^ 1;  // box 2a, 2a+1; prism caps 16, 17
    return (f + kPrismSides / 2) & (kPrismSides - 1);
  }
  PW_HD int edges() const { return shape == kShapeBox ? 12 : 3 * kPrismSides; }
  PW_HD int edge_dirs() const { return shape == kShapeBox ? 3 : 1 + kPrismSides / 2; }

  PW_HD Vec3 local_vertex(int i) const {
    if (shape == kShapeBox) return Vec3{(i & 1) ? h.x : -h.x, (i & 2) ? h.y : -h.y, (i & 4) ? h.z : -h.z};
    int k = i & 15;
    return Vec3{h.x * cos16(2 * k), h.x * sin16(2 * k), (i >> 4) ? h.z : -h.z};
  }

  PW_HD Vec3 vertex(int i) const { return c + mul(R, local_vertex(i)); }  // world frame
  PW_HD Vec3 local_face_normal(int f) const {
    if (shape == kShapeBox) {
      double s = (f & 1) ? -1.0 : 1.0;
      int a = f >> 1;
      return Vec3{a == 0 ? s : 0.0, a == 1 ? s : 0.0, a == 2 ? s : 0.0};
    }
    if (f < kPrismSides) return Vec3{cos16(2 * f + 1), sin16(2 * f + 1), 0.0};
    return Vec3{0, 0, f == kPrismSides ? 1.0 : -1.0};
  }
  PW_HD Vec3 face_normal(int f) const { return mul(R, local_face_normal(f)); }

  // Writes face f's vertex indices (counter-clockwise from outside) to idx; returns how many.
  PW_HD int face_vertices(int f, int* idx) const {
    if (shape == kShapeBox) {
      int a = f >> 1, u = (a + 1) % 3, w = (a + 2) % 3;
      int base = (f & 1) ? 0 : (1 << a);
      // (-u,-w), (+u,-w), (+u,+w), (-u,+w) winds counter-clockwise about +a; reversed for -a.
      const int us[4] = {0, 1, 1, 0}, ws[4] = {0, 0, 1, 1};
      for (int k = 0; k < 4; ++k) {
        int kk = (f & 1) ? 3 - k : k;
        idx[k] = base | (us[kk] << u) | (ws[kk] << w);
      }
      return 4;
    }
    if (f < kPrismSides) {
      int k1 = (f + 1) & 15;
      idx[0] = f;
      idx[1] = k1;
      idx[2] = 16 + k1;
      idx[3] = 16 + f;
      return 4;
    }
    for (int k = 0; k < kPrismSides; ++k) idx[k] = f == kPrismSides ? 16 + k : kPrismSides - 1 - k;
    return kPrismSides;
  }

  // Edge e's end vertices and its direction class.
  PW_HD void edge(int e, int& i0, int& i1, int& dir) const {
    if (shape == kShapeBox) {
      int a = e >> 2, u = (a + 1) % 3, w = (a + 2) % 3, k = e & 3;
      i0 = ((k & 1) << u) | ((k >> 1) << w);
      i1 = i0 | (1 << a);
      dir = a;
      return;
    }
    int k = e & 15, ring = e >> 4;
    if (ring == 0) {
      i0 = k;
      i1 = 16 + k;
      dir = 0;
    } else {
      int off = ring == 1 ? 0 : 16;
      i0 = off + k;
      i1 = off + ((k + 1) & 15);
      dir = 1 + (k & 7);
    }
  }

  // Unit direction of edge class d, in the world frame.
  PW_HD Vec3 edge_dir(int d) const {
    if (shape == kShapeBox) return col(R, d);
    if (d == 0) return col(R, 2);
    int k = d - 1;  // tangent of rim edge k: angle (2k+1) pi/16 + pi/2
    return mul(R, Vec3{cos16(2 * k + 9), sin16(2 * k + 9), 0.0});
  }

  // Smallest and largest projection of the vertices on axis n, from the body frame: with
  // u = R^T n the vertices project to n.c + u.(local vertex), and both hulls are symmetric
  // about their centre, so lo and hi are n.c -+ the largest u.(local vertex). Box: the sum
  // of |u_a| h_a. Prism: hh |u_z| plus r times the largest |u_x cos + u_y sin| over the rim
  // angles k pi/8, k < 8 (angle k + 8 is its opposite).
  PW_HD void project(Vec3 n, double& lo, double& hi) const {
    double e = extent(n);
    double mid = dot(n, c);
    lo = mid - e;
    hi = mid + e;
  }
  // max over k < 8 of |cos(k pi/8) x + sin(k pi/8) y|, the rim's reach along (x, y). Where
  // both products of a term have the same sign the term is |cos| |x| + |sin| |y|, and for each
  // pair of |cos|, |sin| one of the angles k, 8 - k has the signs of (x, y); the other terms
  // are smaller. So five candidates give the loop's value bit for bit, without its 16
  // products.
  PW_HD static double prism_rim_reach(double x, double y) {
    const double ax = dabs(x), ay = dabs(y);
    const double c1 = cos16(2), s1 = sin16(2), c2 = cos16(4);  // pi/8 and pi/4
    return dmax(dmax(ax, ay), dmax(dmax(c1 * ax + s1 * ay, s1 * ax + c1 * ay), c2 * ax + c2 * ay));
  }
  // Half the width of the hull along unit axis n (the vertices' largest u.(local vertex)).
  PW_HD double extent(Vec3 n) const {
    Vec3 u = mul_t(R, n);
    double e;
    if (shape == kShapeBox) {
      e = dabs(u.x) * h.x + dabs(u.y) * h.y + dabs(u.z) * h.z;
    } else {
      e = h.x * prism_rim_reach(u.x, u.y) + h.z * dabs(u.z);
    }
    return e;
  }

  // Distance of face f's plane from the centre: box h_a; prism sides the apothem
  // r cos(pi/16), caps the half height.
  PW_HD double face_offset(int f) const {
    if (shape == kShapeBox) return (f >> 1) == 0 ? h.x : ((f >> 1) == 1 ? h.y : h.z);
    return f < kPrismSides ? h.x * cos16(1) : h.z;
  }
};

PW_HD inline void make_hull(Hull& H, int32_t shape, Vec3 c, const Mat3& R, Vec3 h) {
  H.shape = shape;
  H.c = c;
  H.R = R;
  H.h = h;
  H.nv = shape == kShapeBox ? 8 : 2 * kPrismSides;
}

// Half widths of the world axis-aligned box around a hull (prism: around its bounding box).
PW_HD inline Vec3 hull_extent(const Mat3& R, Vec3 h) {
  return Vec3{dabs(R.r0.x) * h.x + dabs(R.r0.y) * h.y + dabs(R.r0.z) * h.z,
              dabs(R.r1.x) * h.x + dabs(R.r1.y) * h.y + dabs(R.r1.z) * h.z,
              dabs(R.r2.x) * h.x + dabs(R.r2.y) * h.y + dabs(R.r2.z) * h.z};
}

}  // namespace plantwin::phys
