// Narrow phase: contact manifolds between convex hulls (kernels/physics/hull.h) and between a
// hull and the floor plane z = 0.
//
// Hull-hull is the separating axis test over both hulls' face normals and the cross products
// of their edge directions. A face axis wins unless an edge axis separates clearly more (a
// small tolerance keeps the choice from flickering between steps). Face contact: the incident
// face (the other hull's face most anti-parallel to the reference normal) is clipped against
// the reference face's side planes (Sutherland-Hodgman); the clipped points within the
// speculative distance become contact points, halfway between the two surfaces. Edge contact:
// one point, between the closest points of the two supporting edges. At most 4 points are
// kept (reduce_points). All loops run in a fixed order, so results are deterministic.
#pragma once
#include <cstdint>

#include "kernels/common/hd.h"
#include "kernels/physics/hull.h"
#include "kernels/physics/vec_math.h"

namespace plantwin::phys {

constexpr int kManifoldPoints = 4;
constexpr int kClipCapacity = 2 * kMaxFaceVertices + 8;  // one vertex more per clip plane at most

// Up to 4 contact points sharing one normal, which points from A to B.
struct Manifold {
  Vec3 n;
  int32_t count;
  Vec3 p[kManifoldPoints];       // world points, midway between the surfaces
  double sep[kManifoldPoints];   // separation along n (< 0: overlap)
};

// Points within this depth of the deepest carry the load; the others are speculative.
constexpr double kLoadBand = 1e-3;  // [m]

// Picks at most 4 of k points (k <= kClipCapacity) that keep the contact patch's extent,
// greedily: the deepest, then the farthest from it, the one making the largest triangle with
// those two, and the one adding the most area outside that triangle. Points that carry load
// (within kLoadBand of the deepest) come first; speculative points only fill the slots they
// leave, so a resting patch is never traded for points that merely hover near it. Writes
// the chosen indices; returns how many. Ties go to the lower index.
PW_HD inline int reduce_points(const Vec3* p, const double* sep, int k, Vec3 n, int* out) {
  if (k <= kManifoldPoints) {
    for (int i = 0; i < k; ++i) out[i] = i;
    return k;
  }
  int m = 0;
  int i0 = 0;
  for (int i = 1; i < k; ++i)
    if (sep[i] < sep[i0]) i0 = i;
  out[m++] = i0;
  const double band = sep[i0] + kLoadBand;
  double orient = 1.0;  // the triangle's winding about n, once there is one
  while (m < kManifoldPoints) {
    int best = -1;
    double best_gain = 1e-12;
    for (int tier = 0; tier < 2 && best < 0; ++tier) {
      for (int i = 0; i < k; ++i) {
        if ((sep[i] <= band) != (tier == 0)) continue;
        bool taken = false;
        for (int j = 0; j < m; ++j) taken = taken || out[j] == i;
        if (taken) continue;
        double gain;
        if (m == 1) {
          gain = length_sq(p[i] - p[out[0]]);
        } else if (m == 2) {
          gain = dabs(dot(cross(p[out[1]] - p[out[0]], p[i] - p[out[0]]), n));
        } else {  // the area it adds outside the triangle: its most negative edge area
          gain = 0;
          for (int e = 0; e < 3; ++e) {
            Vec3 a = p[out[e]], b = p[out[(e + 1) % 3]];
            gain = dmax(gain, -orient * dot(cross(b - a, p[i] - a), n));
          }
        }
        if (gain > best_gain) {
          best_gain = gain;
          best = i;
        }
      }
    }
    if (best < 0) break;
    out[m++] = best;
    if (m == 3) orient = dot(cross(p[out[1]] - p[out[0]], p[out[2]] - p[out[0]]), n) >= 0 ? 1.0 : -1.0;
  }
  return m;
}

// A hull against the floor, the half-space z <= 0: every vertex within the speculative
// distance, reduced to 4. A is the hull, B the floor, so the normal is -z.
PW_HD inline bool collide_floor(const Hull& A, double margin, Manifold& m) {
  Vec3 pts[kMaxHullVertices];
  double sep[kMaxHullVertices];
  int k = 0;
  for (int i = 0; i < A.nv; ++i) {
    const Vec3 v = A.vertex(i);
    double s = v.z;
    if (s <= margin) {
      pts[k] = Vec3{v.x, v.y, 0.5 * s};
      sep[k++] = s;
    }
  }
  if (k == 0) return false;
  m.n = Vec3{0, 0, -1};
  int idx[kManifoldPoints];
  m.count = reduce_points(pts, sep, k, Vec3{0, 0, 1}, idx);
  for (int i = 0; i < m.count; ++i) {
    m.p[i] = pts[idx[i]];
    m.sep[i] = sep[idx[i]];
  }
  return true;
}

// Closest points of segments p0-p1 and q0-q1 (clamped parameters).
PW_HD inline void closest_segment_points(Vec3 p0, Vec3 p1, Vec3 q0, Vec3 q1, Vec3& cp, Vec3& cq) {
  Vec3 d1 = p1 - p0, d2 = q1 - q0, r = p0 - q0;
  double a = dot(d1, d1), e = dot(d2, d2), f = dot(d2, r);
  double s = 0, t = 0;
  double c = dot(d1, r), b = dot(d1, d2);
  double denom = a * e - b * b;
  if (denom > 1e-14 * a * e) s = dmin(dmax((b * f - c * e) / denom, 0.0), 1.0);
  t = e > 0 ? (b * s + f) / e : 0.0;
  if (t < 0) {
    t = 0;
    s = a > 0 ? dmin(dmax(-c / a, 0.0), 1.0) : 0.0;
  } else if (t > 1) {
    t = 1;
    s = a > 0 ? dmin(dmax((b - c) / a, 0.0), 1.0) : 0.0;
  }
  cp = p0 + s * d1;
  cq = q0 + t * d2;
}

// Sutherland-Hodgman: keeps the part of polygon in[0..n) with dot(sn, x) <= d. Returns the
// new count; exact repeats of the previous point are dropped.
PW_HD inline int clip_polygon(const Vec3* in, int n, Vec3 sn, double d, Vec3* out) {
  int m = 0;
  if (n == 0) return 0;
  Vec3 a = in[n - 1];
  double da = dot(sn, a) - d;
  for (int i = 0; i < n; ++i) {
    Vec3 b = in[i];
    double db = dot(sn, b) - d;
    if ((da > 0) != (db > 0)) {  // the edge crosses the plane: its intersection
      double t = da / (da - db);
      Vec3 x = a + t * (b - a);
      if (m < kClipCapacity && (m == 0 || length_sq(x - out[m - 1]) > 1e-24)) out[m++] = x;
    }
    if (db <= 0 && m < kClipCapacity && (m == 0 || length_sq(b - out[m - 1]) > 1e-24)) out[m++] = b;
    a = b;
    da = db;
  }
  if (m > 1 && length_sq(out[m - 1] - out[0]) <= 1e-24) --m;
  return m;
}

// Face contact with reference face `ref_face` of hull Ref; Inc is the other hull. ref_is_a
// says which of the pair Ref is (the manifold's normal points from A to B).
PW_HD inline bool face_contact(const Hull& Ref, int ref_face, const Hull& Inc, bool ref_is_a, double margin,
                               Manifold& m) {
  Vec3 n = Ref.face_normal(ref_face);
  int ridx[kMaxFaceVertices];
  int rn = Ref.face_vertices(ref_face, ridx);
  Vec3 rv[kMaxFaceVertices];
  for (int e = 0; e < rn; ++e) rv[e] = Ref.vertex(ridx[e]);
  double dref = dot(n, rv[0]);
  // The incident face: the most anti-parallel to n. A box's face normals are its rotation's
  // columns and their negatives, so their cosines with n are the components of R^T n (the
  // same products in the same order: the same values as the general loop).
  int inc = 0;
  double lowest = 2;
  if (Inc.shape == kShapeBox) {
    const Vec3 u = mul_t(Inc.R, n);
    const double c[6] = {u.x, -u.x, u.y, -u.y, u.z, -u.z};
    for (int f = 0; f < 6; ++f) {
      if (c[f] < lowest) { lowest = c[f]; inc = f; }
    }
  } else {
    for (int f = 0; f < Inc.faces(); ++f) {
      double c = dot(Inc.face_normal(f), n);
      if (c < lowest) { lowest = c; inc = f; }
    }
  }
  int iidx[kMaxFaceVertices];
  int in = Inc.face_vertices(inc, iidx);
  Vec3 buf0[kClipCapacity], buf1[kClipCapacity];
  for (int i = 0; i < in; ++i) buf0[i] = Inc.vertex(iidx[i]);
  int cnt = in;
  Vec3* cur = buf0;
  Vec3* nxt = buf1;
  for (int e = 0; e < rn && cnt > 0; ++e) {
    Vec3 a = rv[e], b = rv[(e + 1) % rn];
    Vec3 sn = cross(b - a, n);  // outward in the face's plane (counter-clockwise winding)
    cnt = clip_polygon(cur, cnt, sn, dot(sn, a), nxt);
    Vec3* t = cur;
    cur = nxt;
    nxt = t;
  }
  Vec3 pts[kClipCapacity];
  double sep[kClipCapacity];
  int k = 0;
  for (int i = 0; i < cnt; ++i) {
    double s = dot(n, cur[i]) - dref;
    if (s <= margin) {
      pts[k] = cur[i] - (0.5 * s) * n;
      sep[k++] = s;
    }
  }
  if (k == 0) return false;
  int idx[kManifoldPoints];
  m.count = reduce_points(pts, sep, k, n, idx);
  for (int i = 0; i < m.count; ++i) {
    m.p[i] = pts[idx[i]];
    m.sep[i] = sep[idx[i]];
  }
  m.n = ref_is_a ? n : -n;
  return true;
}

// The largest separation of B's vertices from A's face planes: the face axis query.
PW_HD inline double face_query(const Hull& A, const Hull& B, int& best_face) {
  // Face f's plane is n.x = n.c_A + offset; B's lowest vertex along n is n.c_B - extent. The
  // opposite face has -n and the same offset and extent: one normal serves both (exactly:
  // negation is exact), and the faces are then compared in index order as before.
  const Vec3 dc = B.c - A.c;
  const int nf = A.faces();
  double sep[kMaxHullFaces];
  for (int f = 0; f < nf; ++f) {
    const int g = A.opposite_face(f);
    if (g < f) continue;
    const Vec3 n = A.face_normal(f);
    const double d = dot(n, dc), e = B.extent(n), off = A.face_offset(f);
    sep[f] = d - e - off;
    sep[g] = -d - e - off;
  }
  double best = -1e300;
  best_face = 0;
  for (int f = 0; f < nf; ++f) {
    if (sep[f] > best) { best = sep[f]; best_face = f; }
  }
  return best;
}

// The edge axes of two boxes: a_i x b_j for their axes a_i, b_j, in A's frame, where
// everything follows from C = R_A^T R_B (C_ij = a_i . b_j) and the centres' offset T in A's
// frame (Gottschalk's OBB test): along a_i x b_j, A reaches hA_{i+1} |C_{i+2,j}| +
// hA_{i+2} |C_{i+1,j}|, B reaches hB_{j+1} |C_{i,j+2}| + hB_{j+2} |C_{i,j+1}|, the centres are
// T_{i+2} C_{i+1,j} - T_{i+1} C_{i+2,j} apart, and the axis is |e_i x c_j| long, with
// |e_i x c_j|^2 = C_{i+1,j}^2 + C_{i+2,j}^2. The general loop projects every vertex-free
// extent through two rotations per axis; this needs nine dot products for all nine axes.
// False when an axis separates by more than `margin`; else the largest separation `se` and
// its axes' indices (ea = -1 when every pair of axes is parallel).
PW_HD inline bool box_edge_query(const Hull& A, const Hull& B, double margin, double& se, int& ea, int& eb) {
  double C[3][3], AC[3][3];
  Vec3 a[3], b[3];
  for (int i = 0; i < 3; ++i) {
    a[i] = col(A.R, i);
    b[i] = col(B.R, i);
  }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      C[i][j] = dot(a[i], b[j]);
      AC[i][j] = dabs(C[i][j]);
    }
  const Vec3 t = mul_t(A.R, B.c - A.c);
  const double T[3] = {t.x, t.y, t.z};
  const double ha[3] = {A.h.x, A.h.y, A.h.z}, hb[3] = {B.h.x, B.h.y, B.h.z};
  se = -1e300;
  ea = eb = -1;
  for (int i = 0; i < 3; ++i) {
    const int i1 = (i + 1) % 3, i2 = (i + 2) % 3;
    for (int j = 0; j < 3; ++j) {
      const int j1 = (j + 1) % 3, j2 = (j + 2) % 3;
      const double l2 = C[i1][j] * C[i1][j] + C[i2][j] * C[i2][j];
      if (l2 < 1e-12) continue;  // parallel edges: covered by the face axes
      const double ra = ha[i1] * AC[i2][j] + ha[i2] * AC[i1][j];
      const double rb = hb[j1] * AC[i][j2] + hb[j2] * AC[i][j1];
      const double d = T[i2] * C[i1][j] - T[i1] * C[i2][j];
      const double s = (dabs(d) - ra - rb) / ::sqrt(l2);
      if (s > margin) return false;
      if (s > se) {
        se = s;
        ea = i;
        eb = j;
      }
    }
  }
  return true;
}

// Tolerances that prefer face contacts (more points, steadier) over edge contacts, and A's
// faces over B's, unless the other axis separates clearly more.
constexpr double kFaceTolerance = 0.5e-3;  // [m]
constexpr double kEdgeTolerance = 1.0e-3;  // [m]

// Contact manifold between hulls A and B within the speculative distance `margin`; false when
// they are farther apart.
PW_HD inline bool collide_hulls(const Hull& A, const Hull& B, double margin, Manifold& m) {
  int fa, fb;
  double sa = face_query(A, B, fa);
  if (sa > margin) return false;
  double sb = face_query(B, A, fb);
  if (sb > margin) return false;

  // Edge axes: e_a x e_b over the direction classes, oriented by the larger of the two gaps.
  double se = -1e300;
  Vec3 axis_e{0, 0, 1};
  int ea = -1, eb = -1;
  if (A.shape == kShapeBox && B.shape == kShapeBox) {
    if (!box_edge_query(A, B, margin, se, ea, eb)) return false;
    if (ea >= 0) {
      const Vec3 ax = cross(col(A.R, ea), col(B.R, eb));
      axis_e = (1.0 / ::sqrt(length_sq(ax))) * ax;
      if (dot(axis_e, B.c - A.c) < 0) axis_e = -axis_e;
    }
  } else {
    for (int i = 0; i < A.edge_dirs(); ++i) {
      Vec3 da = A.edge_dir(i);
      for (int j = 0; j < B.edge_dirs(); ++j) {
        Vec3 ax = cross(da, B.edge_dir(j));
        double l2 = length_sq(ax);
        if (l2 < 1e-12) continue;  // parallel edges: covered by the face axes
        ax = (1.0 / ::sqrt(l2)) * ax;
        double alo, ahi, blo, bhi;
        A.project(ax, alo, ahi);
        B.project(ax, blo, bhi);
        double s1 = blo - ahi, s2 = alo - bhi;
        double s = s1 >= s2 ? s1 : s2;
        if (s > margin) return false;
        if (s > se) {
          se = s;
          axis_e = s1 >= s2 ? ax : -ax;
          ea = i;
          eb = j;
        }
      }
    }
  }

  double sf = sa >= sb - kFaceTolerance ? sa : sb;
  if (ea >= 0 && se > sf + kEdgeTolerance) {
    // Edge contact: A's supporting edge of class ea along the axis, B's against it.
    int best_a = -1, best_b = -1;
    double ha = -1e300, hb = 1e300;
    for (int e = 0; e < A.edges(); ++e) {
      int i0, i1, d;
      A.edge(e, i0, i1, d);
      if (d != ea) continue;
      double h = dot(axis_e, A.vertex(i0) + A.vertex(i1));
      if (h > ha) { ha = h; best_a = e; }
    }
    for (int e = 0; e < B.edges(); ++e) {
      int i0, i1, d;
      B.edge(e, i0, i1, d);
      if (d != eb) continue;
      double h = dot(axis_e, B.vertex(i0) + B.vertex(i1));
      if (h < hb) { hb = h; best_b = e; }
    }
    int a0, a1, b0, b1, d;
    A.edge(best_a, a0, a1, d);
    B.edge(best_b, b0, b1, d);
    Vec3 pa, pb;
    closest_segment_points(A.vertex(a0), A.vertex(a1), B.vertex(b0), B.vertex(b1), pa, pb);
    m.n = axis_e;
    m.count = 1;
    m.p[0] = 0.5 * (pa + pb);
    m.sep[0] = se;
    return true;
  }
  if (sa >= sb - kFaceTolerance) return face_contact(A, fa, B, true, margin, m);
  return face_contact(B, fb, A, false, margin, m);
}

}  // namespace plantwin::phys
